/*
 * The analyzer "archiveren_folded" for the integ-test Elasticsearch (see DutchAnalyzerFactory):
 * standard tokenizer, lowercase, ASCII folding, and nothing else, so that names keep every word
 * ("van der") and wildcards and fuzzy words meet the words as written, not their stems. The
 * tantivy backend's folded_words analyser and the OpenSearch index settings do the same.
 */
package nl.archiveren.engine;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

@NamedComponent("archiveren_folded")
public class FoldedAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                StandardTokenizer source = new StandardTokenizer();
                TokenStream stream = new ASCIIFoldingFilter(new LowerCaseFilter(source));
                return new TokenStreamComponents(source, stream);
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                return new ASCIIFoldingFilter(new LowerCaseFilter(in));
            }
        };
    }
}
