package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Squares of as many rows as the vectors have lanes (16, or 8 on AVX2) come out as columns. */
class TokenTransposeTest {

  private static final int N = VectorSupport.F.length();

  @Test
  void tokenRowsBecomeColumnsOfTokens() {
    assumeTrue(TokenTranspose.squares(), "needs 512- or 256-bit float vectors");
    int in = 3 * N; // three squares side by side
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment x = arena.allocate((long) N * in * Float.BYTES);
      Random random = new Random(3);
      for (long i = 0; i < (long) N * in; i++) {
        x.setAtIndex(VectorSupport.LE, i, random.nextFloat());
      }
      float[] t = new float[N * in];
      for (int k = 0; k < in; k += N) {
        TokenTranspose.square(x, k * 4L, in * 4L, t, k * N);
      }
      for (int k = 0; k < in; k++) {
        for (int token = 0; token < N; token++) {
          assertThat(t[k * N + token])
              .as("column %d token %d", k, token)
              .isEqualTo(x.getAtIndex(VectorSupport.LE, (long) token * in + k));
        }
      }
    }
  }

  @Test
  void arrayRowsBecomeColumnsWhereAsked() {
    assumeTrue(TokenTranspose.squares(), "needs 512- or 256-bit float vectors");
    Random random = new Random(5);
    int src = 3;
    int dst = 7;
    float[] a = new float[src + N * N + 2];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextFloat();
    }
    float[] t = new float[dst + N * N + 2];
    TokenTranspose.square(a, src, t, dst);
    for (int row = 0; row < N; row++) {
      for (int col = 0; col < N; col++) {
        assertThat(t[dst + col * N + row])
            .as("row %d column %d", row, col)
            .isEqualTo(a[src + row * N + col]);
      }
    }
    assertThat(t[dst - 1]).isZero();
    assertThat(t[dst + N * N]).isZero();
  }
}
