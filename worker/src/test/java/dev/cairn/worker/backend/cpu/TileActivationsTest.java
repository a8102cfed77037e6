package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TileActivationsTest {

  /**
   * Every eight-token tile (16-lane CPUs; a last six or seven tokens padded into one more), then
   * four-token ones while four or more tokens are left and they are asked for, lands column by
   * column with its tokens side by side; a last two or three tokens land as a four-token tile
   * (asked for) or as four rows, the missing tokens zero; a last single token lands as its row.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void tilesLieColumnByColumn(boolean four) {
    int in = 37;
    try (Arena arena = Arena.ofConfined()) {
      for (int tokens : new int[] {1, 2, 3, 4, 6, 7, 8, 13, 14, 16, 23}) {
        MemorySegment x = arena.allocate((long) tokens * in * Float.BYTES);
        for (int i = 0; i < tokens * in; i++) {
          x.setAtIndex(VectorSupport.LE, i, 1000f * (i / in) + i % in);
        }
        float[] a = TileActivations.copy(x, tokens, in, four);
        int whole = tokens / 8 * 8;
        int eights = TileActivations.EIGHTS ? (tokens - whole >= 6 ? whole + 8 : whole) : 0;
        int held = Math.max(eights, tokens % 4 >= 2 ? tokens / 4 * 4 + 4 : tokens);
        assertThat(TileActivations.padded(tokens)).as("tokens %d", tokens).isEqualTo(held);
        // tiles in tile order: the eights, then fours (a padded last one) when asked for
        int tiled = eights;
        if (four) {
          tiled += (tokens - eights) / 4 * 4;
          tiled += tokens - tiled >= 2 ? 4 : 0;
        }
        for (int t = 0; t < tiled; t++) {
          int start = t < eights ? t / 8 * 8 : t / 4 * 4;
          int width = t < eights ? 8 : 4;
          for (int k = 0; k < in; k++) {
            assertThat(a[start * in + k * width + t - start])
                .as("tokens %d token %d column %d", tokens, t, k)
                .isEqualTo(t < tokens ? 1000f * t + k : 0f);
          }
        }
        for (int t = tiled; t < held; t++) {
          for (int k = 0; k < in; k++) {
            assertThat(a[t * in + k])
                .as("tokens %d row %d column %d", tokens, t, k)
                .isEqualTo(t < tokens ? 1000f * t + k : 0f);
          }
        }
      }
    }
  }
}
