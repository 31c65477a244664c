// Walks WARC files with JWAT (org.jwat:jwat-warc 1.2.1) and prints every diagnosis: one line
// "ERROR|WARNING <file> @<offset> <WARC-Type> <diagnosis type> <entity> <information>" per
// problem, block and payload digests checked. Exit status 1 when any record or file is not
// compliant (an error, an invalid digest or a reader exception), 0 otherwise.
// Compiled and run by tests/archive/validators.py; see scripts/warc-validators.

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Arrays;

import org.jwat.common.Diagnosis;
import org.jwat.common.Diagnostics;
import org.jwat.common.HeaderLine;
import org.jwat.warc.WarcReader;
import org.jwat.warc.WarcReaderFactory;
import org.jwat.warc.WarcRecord;

public final class JwatCheck {
    private static int problems = 0;

    public static void main(String[] args) throws Exception {
        int records = 0;
        for (String file : args) {
            try (InputStream in = new BufferedInputStream(new FileInputStream(file), 65536)) {
                WarcReader reader = WarcReaderFactory.getReader(in);
                reader.setBlockDigestEnabled(true);
                reader.setPayloadDigestEnabled(true);
                WarcRecord record;
                while ((record = reader.getNextRecord()) != null) {
                    records++;
                    InputStream payload = record.getPayloadContent();
                    if (payload != null) {
                        byte[] buffer = new byte[65536];
                        while (payload.read(buffer) != -1) { }
                    }
                    record.close();
                    HeaderLine type = record.getHeader("WARC-Type");
                    String where = file + " @" + record.getStartOffset() + " "
                        + (type == null ? "?" : type.value);
                    report(where, record.diagnostics);
                    if (Boolean.FALSE.equals(record.isValidBlockDigest)) {
                        fail(where + " block digest does not match");
                    }
                    if (Boolean.FALSE.equals(record.isValidPayloadDigest)) {
                        fail(where + " payload digest does not match");
                    }
                    if (!record.isCompliant()) {
                        fail(where + " record is not compliant");
                    }
                }
                reader.close();
                report(file, reader.diagnostics);
                if (reader.getIteratorExceptionThrown() != null) {
                    fail(file + " reader exception " + reader.getIteratorExceptionThrown());
                }
                if (!reader.isCompliant()) {
                    fail(file + " file is not compliant");
                }
            }
        }
        System.out.println("JWAT: " + args.length + " file(s), " + records + " record(s), "
            + problems + " problem(s)");
        System.exit(problems == 0 ? 0 : 1);
    }

    private static void report(String where, Diagnostics diagnostics) {
        for (Diagnosis d : diagnostics.getErrors()) {
            fail(where + " " + d.type + " " + d.entity + " " + Arrays.toString(d.information));
        }
        for (Diagnosis d : diagnostics.getWarnings()) {
            System.out.println("WARNING " + where + " " + d.type + " " + d.entity + " "
                + Arrays.toString(d.information));
        }
    }

    private static void fail(String message) {
        problems++;
        System.out.println("ERROR " + message);
    }
}
