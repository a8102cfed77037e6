package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated bench tokenizer loads in the worker and spells the bench vocabulary's bytes. */
class BenchTokenizerGeneratorTest {

  @Test
  void loadsAsByteLevelBpeOfTheBenchVocabulary(@TempDir Path tmp) throws Exception {
    Path dir = BenchTokenizerGenerator.ensure(tmp.resolve("tok"));
    byte[][] expected = StructuredBench.generateVocabulary(StructuredBench.VOCAB_SIZE - 1);
    TokenVocabulary vocab = TokenVocabulary.fromTokenizerJson(dir.resolve(HfTokenizer.FILE));
    assertThat(vocab.size()).isEqualTo(StructuredBench.VOCAB_SIZE);
    for (int id = 0; id < expected.length; id += 997) {
      assertThat(vocab.bytes(id)).as("token %d", id).isEqualTo(expected[id]);
    }
    try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      assertThat(tokenizer.vocabSize()).isEqualTo(StructuredBench.VOCAB_SIZE);
      assertThat(tokenizer.tokenId(BenchTokenizerGenerator.EOS))
          .hasValue(StructuredBench.VOCAB_SIZE - 1);
      String text = "{\"name\": \"Ada\", \"tags\": [\"x\", \"ÿ\"], \"age\": 36}\n";
      int[] ids = tokenizer.encode(text, false);
      assertThat(tokenizer.decode(ids, true)).isEqualTo(text);
      // The merges reach multi-byte tokens: fewer tokens than bytes.
      assertThat(ids.length).isLessThan(text.length());
    }
  }
}
