package dev.cairn.worker.structured.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two grammars of the same language compared token by token over the tiny model's vocabulary:
 * random walks through the first one's masks, each step's mask and completeness checked against the
 * second's.
 */
final class MaskWalks {

  static final TokenVocabulary VOCAB =
      TokenVocabulary.fromTokenizerJson(Path.of("../models/tiny-shakespeare/tokenizer.json"));

  private MaskWalks() {}

  /**
   * Walks {@code walks} times up to {@code steps} tokens, asserting equal masks and completeness at
   * every step; with {@code clamp} above 0, also that the first grammar's state clamped to it
   * allows what the state does. Returns the steps taken and, of those, the steps the clamp changed.
   */
  static int[] compare(Grammar a, Grammar b, Random random, int walks, int steps, int clamp) {
    int taken = 0;
    int clamped = 0;
    for (int walk = 0; walk < walks; walk++) {
      StackSet sa = a.initial();
      StackSet sb = b.initial();
      StringBuilder text = new StringBuilder();
      for (int step = 0; step < steps && !sa.isFinal(); step++, taken++) {
        long[] ma = mask(a, sa);
        assertThat(ma).as("after %s", text).isEqualTo(mask(b, sb));
        assertThat(sa.isComplete()).as("complete after %s", text).isEqualTo(sb.isComplete());
        if (clamp > 0 && sa.clamped(clamp) != sa) {
          clamped++;
          assertThat(mask(a, sa.clamped(clamp))).as("clamped after %s", text).isEqualTo(ma);
        }
        List<Integer> allowed = allowed(ma);
        if (allowed.isEmpty()) {
          break;
        }
        byte[] bytes = VOCAB.bytes(allowed.get(random.nextInt(allowed.size())));
        sa = a.advance(sa, bytes);
        sb = b.advance(sb, bytes);
        text.append(new String(bytes, StandardCharsets.UTF_8));
      }
    }
    return new int[] {taken, clamped};
  }

  static long[] mask(Grammar g, StackSet state) {
    long[] mask = new long[(VOCAB.size() + 63) >>> 6];
    TokenMasks.fill(g, VOCAB, state, mask);
    return mask;
  }

  static List<Integer> allowed(long[] mask) {
    List<Integer> out = new ArrayList<>();
    for (int id = 0; id < VOCAB.size(); id++) {
      if ((mask[id >>> 6] & 1L << id) != 0) {
        out.add(id);
      }
    }
    return out;
  }
}
