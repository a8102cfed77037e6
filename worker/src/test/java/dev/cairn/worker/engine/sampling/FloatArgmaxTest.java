package dev.cairn.worker.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;

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
}
