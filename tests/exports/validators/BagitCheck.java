import gov.loc.repository.bagit.domain.Bag;
import gov.loc.repository.bagit.domain.Manifest;
import gov.loc.repository.bagit.reader.BagReader;
import gov.loc.repository.bagit.verify.BagVerifier;
import java.nio.file.Paths;

/**
 * Validate BagIt bags with the Library of Congress's bagit-java (gov.loc:bagit), run by
 * scripts/bagit-check. For each bag: read it, check it is complete and every payload and tag
 * manifest digest holds (BagVerifier.isValid), and print its version, manifests and payload
 * count. Exit 1 if any bag is not valid.
 */
public class BagitCheck {
    public static void main(String[] args) {
        int invalid = 0;
        BagReader reader = new BagReader();
        for (String path : args) {
            try (BagVerifier verifier = new BagVerifier()) {
                Bag bag = reader.read(Paths.get(path));
                verifier.isValid(bag, false);
                StringBuilder algorithms = new StringBuilder();
                int files = 0;
                for (Manifest manifest : bag.getPayLoadManifests()) {
                    algorithms.append(manifest.getAlgorithm().getBagitName()).append(' ');
                    files = manifest.getFileToChecksumMap().size();
                }
                StringBuilder tags = new StringBuilder();
                for (Manifest manifest : bag.getTagManifests()) {
                    tags.append(manifest.getAlgorithm().getBagitName()).append(' ');
                }
                System.out.println("VALID " + path + " BagIt " + bag.getVersion() + " manifests "
                        + algorithms.toString().trim() + " tagmanifests " + tags.toString().trim()
                        + " payload files " + files);
            } catch (Exception e) {
                invalid++;
                System.out.println("INVALID " + path + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        System.out.println(invalid + " invalid bag(s)");
        System.exit(invalid == 0 ? 0 : 1);
    }
}
