package dev.cairn.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The mask cache of a compiled constraint: a miss is computed and reported once, a state seen
 * before (by any request) is a hit, the positions of a long counted string share their masks, and a
 * state in use stays while many others pass.
 */
class CompiledConstraintTest {

  private static final TokenVocabulary VOCAB =
      TokenVocabulary.fromTokenizerJson(Path.of("../models/tiny-shakespeare/tokenizer.json"));
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final AtomicInteger misses = new AtomicInteger();
  private final ConstraintCompiler compiler =
      new ConstraintCompiler(8, nanos -> {}, nanos -> misses.incrementAndGet());

  private int tokenOf(String text) {
    for (int id = 0; id < VOCAB.size(); id++) {
      byte[] b = VOCAB.bytes(id);
      if (b != null && new String(b, StandardCharsets.UTF_8).equals(text)) {
        return id;
      }
    }
    throw new AssertionError("no token " + text);
  }

  @Test
  void aMaskIsComputedAndReportedOncePerStateAcrossRequests() throws Exception {
    CompiledConstraint c =
        compiler.jsonSchema(
            MAPPER.readTree("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}"));
    long[] mask = new long[(VOCAB.size() + 63) >>> 6];
    ConstraintMatcher first = c.newMatcher(VOCAB, 509);
    first.fillMask(mask);
    first.fillMask(mask);
    assertThat(misses).hasValue(1);
    assertThat(first.accept(tokenOf("["))).isTrue();
    first.fillMask(mask);
    assertThat(misses).hasValue(2);
    ConstraintMatcher second = c.newMatcher(VOCAB, 509);
    second.fillMask(mask);
    assertThat(second.accept(tokenOf("["))).isTrue();
    second.fillMask(mask);
    assertThat(misses).as("the second request's states were all seen").hasValue(2);
  }

  /**
   * 600 characters into a string of up to 5,000, one character a step: past the longest token from
   * both ends of the bound, every position is the same cache entry.
   */
  @Test
  void aLongCountedStringNeedsAHandfulOfMasks() throws Exception {
    CompiledConstraint c =
        compiler.jsonSchema(
            MAPPER.readTree("{\"type\": \"string\", \"minLength\": 300, \"maxLength\": 5000}"));
    ConstraintMatcher m = c.newMatcher(VOCAB, 509);
    long[] mask = new long[(VOCAB.size() + 63) >>> 6];
    int a = tokenOf("a");
    int quote = tokenOf("\"");
    m.fillMask(mask);
    assertThat(m.accept(quote)).isTrue();
    for (int i = 0; i < 600; i++) {
      m.fillMask(mask);
      assertThat(mask[a >>> 6] & 1L << a).isNotZero();
      assertThat((mask[quote >>> 6] & 1L << quote) != 0).as("after %d", i).isEqualTo(i >= 300);
      assertThat(m.accept(a)).isTrue();
    }
    m.fillMask(mask);
    assertThat(mask[quote >>> 6] & 1L << quote).as("the string may end after 600").isNotZero();
    int longest = VOCAB.maxTokenBytes();
    // Start, and per distance to minLength up to the longest token, plus the far positions.
    assertThat(misses.get()).isLessThanOrEqualTo(2 * longest + 6);
  }

  /**
   * 700 positions of one regex, more than the cache holds, while another request stays at the
   * start: the start, in use all along, is computed once (the cache used to start over at 512 and
   * compute it again), and every position once.
   */
  @Test
  void aStateInUseOutlivesManyOthers() {
    CompiledConstraint c = compiler.regex("a{700}");
    long[] mask = new long[(VOCAB.size() + 63) >>> 6];
    int a = tokenOf("a");
    ConstraintMatcher waiting = c.newMatcher(VOCAB, 509);
    ConstraintMatcher walking = c.newMatcher(VOCAB, 509);
    for (int i = 0; i < 700; i++) {
      waiting.fillMask(mask);
      walking.fillMask(mask);
      assertThat(walking.accept(a)).isTrue();
    }
    walking.fillMask(mask);
    assertThat(MaskCache.CAPACITY).isLessThan(700);
    assertThat(misses).hasValue(701);
  }
}
