package dev.cairn.worker.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.testing.TestModels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatArgmax} returns what the scalar loop returns, on rows whose length is not a multiple
 * of the vector (the tails), over Qwen2.5's vocabulary, with ties, signed zeros, infinities and
 * NaNs; it also runs on 256-bit vectors (the {@code kernels-on-avx2} execution).
 */
class FloatArgmaxTest {

  private final Random random = new Random(5);

  /** The oracle: the loop the sampler ran before, first of the largest, NaNs never greater. */
  private static int scalar(float[] x) {
    return TestModels.argmax(x);
  }

  private float[] gaussian(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian() * 4;
    }
    return x;
  }

  @Test
  void everyLengthAndPositionOfTheMaximum() {
    for (int n = 1; n <= 80; n++) {
      for (int at = 0; at < n; at++) {
        float[] x = gaussian(n);
        x[at] = 100f;
        assertThat(FloatArgmax.of(x)).as("n=%d at=%d", n, at).isEqualTo(at).isEqualTo(scalar(x));
      }
    }
    assertThat(FloatArgmax.of(new float[0])).isZero();
  }

  @Test
  void tiesGoToTheFirstInAFullVocabulary() {
    for (int round = 0; round < 50; round++) {
      float[] x = gaussian(151_936);
      int a = random.nextInt(x.length);
      int b = random.nextInt(x.length);
      int c = x.length - 1 - random.nextInt(40); // often in the scalar tail
      x[a] = 40f;
      x[b] = 40f;
      x[c] = 40f;
      x[random.nextInt(x.length)] = Math.nextDown(40f);
      assertThat(FloatArgmax.of(x)).isEqualTo(scalar(x)).isEqualTo(Math.min(a, Math.min(b, c)));
    }
  }

  @Test
  void signedZerosInfinitiesAndNaNsAsTheLoopTreatsThem() {
    float[] zeros = {
      -1f, -0.0f, -3f, 0.0f, -0.0f, -2f, 0.0f, -5f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f, -1f,
      0.0f, -1f
    };
    float[] negInf = new float[37];
    java.util.Arrays.fill(negInf, Float.NEGATIVE_INFINITY);
    float[] posInf = gaussian(53);
    posInf[20] = Float.POSITIVE_INFINITY;
    posInf[41] = Float.POSITIVE_INFINITY;
    float[] nanFirst = gaussian(40);
    nanFirst[0] = Float.NaN;
    float[] nanAround = gaussian(70);
    nanAround[3] = Float.NaN;
    nanAround[33] = 50f;
    nanAround[34] = Float.NaN;
    nanAround[69] = Float.NaN;
    float[] allNaNButFirst = new float[35];
    java.util.Arrays.fill(allNaNButFirst, Float.NaN);
    allNaNButFirst[0] = -7f;
    for (float[] x : new float[][] {zeros, negInf, posInf, nanFirst, nanAround, allNaNButFirst}) {
      assertThat(FloatArgmax.of(x)).isEqualTo(scalar(x));
    }
    assertThat(FloatArgmax.of(zeros)).isEqualTo(1);
    assertThat(FloatArgmax.of(posInf)).isEqualTo(20);
    assertThat(FloatArgmax.of(nanAround)).isEqualTo(33);
  }

  /** The oracle of the masked path: the loop over the row with every refused id at -infinity. */
  private static int maskedScalar(float[] x, long[] allowed) {
    float[] masked = x.clone();
    for (int i = 0; i < x.length; i++) {
      if ((allowed[i >>> 6] & 1L << i) == 0) {
        masked[i] = Float.NEGATIVE_INFINITY;
      }
    }
    return scalar(masked);
  }

  private long[] randomMask(int n, double density) {
    long[] mask = new long[(n + 63) >>> 6];
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < density) {
        mask[i >>> 6] |= 1L << i;
      }
    }
    return mask;
  }

  @Test
  void theBestAllowedIdAsTheMaskedLoopFindsIt() {
    for (double density : new double[] {0.0001, 0.01, 0.5, 0.999}) {
      for (int round = 0; round < 20; round++) {
        float[] x = gaussian(151_936);
        long[] mask = randomMask(x.length, density);
        mask[0] |= 1L; // at least one allowed id
        // A refused id above every allowed one must not win, nor must a tie break late.
        x[random.nextInt(x.length)] = 90f;
        int allowedAt = 64 * random.nextInt(mask.length - 1) + random.nextInt(64);
        mask[allowedAt >>> 6] |= 1L << allowedAt;
        x[allowedAt] = 50f;
        int refusedAt = (allowedAt + 1) % x.length;
        mask[refusedAt >>> 6] &= ~(1L << refusedAt);
        x[refusedAt] = 95f;
        assertThat(FloatArgmax.ofAllowed(x, mask))
            .as("density %s", density)
            .isEqualTo(maskedScalar(x, mask));
      }
    }
  }

  @Test
  void tiesAmongAllowedIdsGoToTheFirstAndBitsPastTheRowAreIgnored() {
    float[] x = gaussian(130);
    long[] mask = new long[3];
    mask[0] = 1L << 5 | 1L << 40;
    mask[1] = 1L << (70 - 64);
    mask[2] = -1L; // ids 128..191: only 128 and 129 exist
    x[40] = 7f;
    x[70] = 7f;
    x[129] = 7f;
    x[5] = 6.5f;
    x[128] = -1f;
    assertThat(FloatArgmax.ofAllowed(x, mask)).isEqualTo(40);
    x[128] = 8f;
    assertThat(FloatArgmax.ofAllowed(x, mask)).isEqualTo(128);
  }

  @Test
  void nothingAllowedIsAnError() {
    float[] x = gaussian(100);
    long[] onlyPastTheRow = {0L, 1L << (100 - 64 + 5)};
    assertThatThrownBy(() -> FloatArgmax.ofAllowed(x, onlyPastTheRow))
        .hasMessageContaining("allows no token");
    assertThatThrownBy(() -> FloatArgmax.ofAllowed(x, new long[2]))
        .hasMessageContaining("allows no token");
  }
}
