package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TileActivationsTest {

  /**
   * Every whole group of eight tokens lands column by column with its tokens side by side; the
   * tokens past the last whole group (the four-token and decode tiles' share) are not copied.
   */
  @Test
  void groupsOfEightTokensLieColumnByColumn() {
    int in = 37;
    try (Arena arena = Arena.ofConfined()) {
      for (int tokens : new int[] {8, 13, 16, 23}) {
        MemorySegment x = arena.allocate((long) tokens * in * Float.BYTES);
        for (int i = 0; i < tokens * in; i++) {
          x.setAtIndex(VectorSupport.LE, i, 1000f * (i / in) + i % in);
        }
        float[] a = TileActivations.copy(x, tokens, in);
        int groups = tokens / TileActivations.TOKENS;
        for (int g = 0; g < groups; g++) {
          for (int k = 0; k < in; k++) {
            for (int i = 0; i < TileActivations.TOKENS; i++) {
              int t = g * TileActivations.TOKENS + i;
              assertThat(a[t / 8 * 8 * in + k * 8 + i])
                  .as("tokens %d token %d column %d", tokens, t, k)
                  .isEqualTo(1000f * t + k);
            }
          }
        }
      }
    }
  }
}
