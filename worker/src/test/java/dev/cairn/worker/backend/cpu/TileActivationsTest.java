package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TileActivationsTest {

  /**
   * Every eight-token tile, then a four-token one where four or more tokens are left and it is
   * asked for, lands column by column with its tokens side by side; the tokens past the tiles land
   * as their rows.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void tilesLieColumnByColumn(boolean four) {
    int in = 37;
    try (Arena arena = Arena.ofConfined()) {
      for (int tokens : new int[] {4, 7, 8, 13, 16, 23}) {
        MemorySegment x = arena.allocate((long) tokens * in * Float.BYTES);
        for (int i = 0; i < tokens * in; i++) {
          x.setAtIndex(VectorSupport.LE, i, 1000f * (i / in) + i % in);
        }
        float[] a = TileActivations.copy(x, tokens, in, four);
        int eights = tokens / 8 * 8;
        int copied = four && tokens - eights >= 4 ? eights + 4 : eights;
        for (int t = 0; t < copied; t++) {
          int start = t < eights ? t / 8 * 8 : eights;
          int width = t < eights ? 8 : 4;
          for (int k = 0; k < in; k++) {
            assertThat(a[start * in + k * width + t - start])
                .as("tokens %d token %d column %d", tokens, t, k)
                .isEqualTo(1000f * t + k);
          }
        }
        for (int t = copied; t < tokens; t++) {
          for (int k = 0; k < in; k++) {
            assertThat(a[t * in + k])
                .as("tokens %d row %d column %d", tokens, t, k)
                .isEqualTo(1000f * t + k);
          }
        }
      }
    }
  }
}
