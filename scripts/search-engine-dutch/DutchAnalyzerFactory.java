/*
 * Elasticsearch's integ-test-zip, the distribution Maven Central serves, leaves out the
 * analysis-common module that holds the "dutch" analyzer and the snowball/asciifolding filters.
 * Lucene's implementations are in the distribution's lib/ all the same; this stable-API plugin
 * builds from them the analyzer "archiveren_dutch" (standard tokenizer, lowercase, Dutch stop
 * words, ASCII folding, Snowball Dutch stemmer), the chain the tantivy backend and the
 * OpenSearch index settings use too. Stop words go before stemming because the stemmer maps
 * content words onto them (overheid -> over); their positions are kept, so phrases line up. scripts/search-engine compiles and installs it on first start.
 */
package nl.archiveren.engine;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.tartarus.snowball.ext.DutchStemmer;

@NamedComponent("archiveren_dutch")
public class DutchAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                StandardTokenizer source = new StandardTokenizer();
                TokenStream stream = new LowerCaseFilter(source);
                stream = new StopFilter(stream, DutchAnalyzer.getDefaultStopSet());
                stream = new ASCIIFoldingFilter(stream);
                stream = new SnowballFilter(stream, new DutchStemmer());
                return new TokenStreamComponents(source, stream);
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                return new ASCIIFoldingFilter(new LowerCaseFilter(in));
            }
        };
    }
}
