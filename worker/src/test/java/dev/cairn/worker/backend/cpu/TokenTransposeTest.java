package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenTransposeTest {

  @Test
  void sixteenTokenRowsBecomeSixteenColumnsOfTokens() {
    assumeTrue(TokenTranspose.available(), "needs 512-bit float vectors");
    int in = 48; // three squares side by side
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment x = arena.allocate((long) 16 * in * Float.BYTES);
      Random random = new Random(3);
      for (long i = 0; i < 16L * in; i++) {
        x.setAtIndex(VectorSupport.LE, i, random.nextFloat());
      }
      float[] t = new float[16 * in];
      for (int k = 0; k < in; k += 16) {
        TokenTranspose.square(x, k * 4L, in * 4L, t, k * 16);
      }
      for (int k = 0; k < in; k++) {
        for (int token = 0; token < 16; token++) {
          assertThat(t[k * 16 + token])
              .as("column %d token %d", k, token)
              .isEqualTo(x.getAtIndex(VectorSupport.LE, (long) token * in + k));
        }
      }
    }
  }
}
