package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lane sum every dot-product kernel ends with and the exponential of softmax and SiLU: the same
 * bits in every mode, and in both of the exponential's forms.
 */
class VectorSupportTest {

  private final Random random = new Random(7);

  @BeforeEach
  void vectorsAvailable() {
    Assumptions.assumeTrue(VectorSupport.available(), "vector kernels");
  }

  /**
   * Values of mixed magnitude, so that another order of additions rounds differently; the sum must
   * be the rotation tree's, lane i plus lane i + n/2 first, down to lane 0.
   */
  @Test
  void sumAddsTheLanesInTheRotationTreesOrder() {
    int lanes = VectorSupport.F.length();
    int differsFromInOrder = 0;
    for (int trial = 0; trial < 1000; trial++) {
      float[] x = mixedMagnitudes(lanes);
      float tree = treeSum(x);
      assertThat(
              Float.floatToRawIntBits(
                  VectorSupport.sum(FloatVector.fromArray(VectorSupport.F, x, 0))))
          .as("trial %d", trial)
          .isEqualTo(Float.floatToRawIntBits(tree));
      if (tree != inOrderSum(x)) {
        differsFromInOrder++;
      }
    }
    // The inputs do tell the orders apart, so the assertion above pins the order.
    assertThat(differsFromInOrder).isGreaterThan(100);
  }

  /**
   * The same vector summed while the method is interpreted and after C2 has compiled it gives the
   * same bits: {@code reduceLanes(ADD)} did not (in order in the fallback, a tree in the
   * intrinsic), which broke a batched row's bit-equality with the same row computed alone.
   */
  @Test
  void sumIsTheSameBeforeAndAfterCompilation() {
    int lanes = VectorSupport.F.length();
    float[][] inputs = new float[64][];
    int[] first = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = mixedMagnitudes(lanes);
      first[i] = Float.floatToRawIntBits(sumOf(inputs[i]));
    }
    for (int round = 0; round < 5000; round++) {
      for (int i = 0; i < inputs.length; i++) {
        int bits = Float.floatToRawIntBits(sumOf(inputs[i]));
        if (bits != first[i]) {
          assertThat(bits).as("input %d, round %d", i, round).isEqualTo(first[i]);
        }
      }
    }
  }

  /**
   * {@link VectorSupport#exp} within 2 ulp of {@code Math.exp} over [-87, 88] (the range a softmax
   * of shifted scores and a SiLU reach), exactly 1 at 0, and NaN for NaN.
   */
  @Test
  void expIsWithinTwoUlpOfMathExp() {
    int lanes = VectorSupport.F.length();
    float[] x = new float[lanes];
    float[] y = new float[lanes];
    for (int trial = 0; trial < 20_000; trial++) {
      for (int i = 0; i < lanes; i++) {
        x[i] = trial < 100 ? (trial * lanes + i) * 0.1f - 87f : random.nextFloat() * 175f - 87f;
      }
      VectorSupport.exp(FloatVector.fromArray(VectorSupport.F, x, 0)).intoArray(y, 0);
      for (int i = 0; i < lanes; i++) {
        float expected = (float) Math.exp(x[i]);
        assertThat(Math.abs(y[i] - expected))
            .as("exp(%s)", x[i])
            .isLessThanOrEqualTo(2 * Math.ulp(expected));
      }
    }
    x[0] = 0f;
    x[1] = Float.NaN;
    x[2] = -1000f;
    x[3] = 1000f;
    VectorSupport.exp(FloatVector.fromArray(VectorSupport.F, x, 0)).intoArray(y, 0);
    assertThat(y[0]).isEqualTo(1f);
    assertThat(y[1]).isNaN();
    assertThat(y[2]).isBetween(0f, 1e-37f);
    assertThat(y[3]).isGreaterThan(1e38f).isFinite();
  }

  /**
   * A softmax row through {@link VectorSupport#expInPlace}, starting inside the array and ending
   * inside a vector: each element becomes exactly the bits {@link VectorSupport#exp} gives for its
   * shifted value (the polynomial is written out twice; this keeps the copies one function),
   * nothing outside the range moves, and the return is the sum of the results in one chain of
   * vector adds, lanes summed as {@link VectorSupport#sum} does.
   */
  @Test
  void expInPlaceIsExpOverItsRangeAndReturnsTheSum() {
    int lanes = VectorSupport.F.length();
    for (int n : new int[] {1, lanes - 1, lanes, 2 * lanes + 5, 40 * lanes + 3}) {
      int at = 3;
      float shift = 1.75f;
      float[] a = new float[at + n + lanes];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) (random.nextGaussian() * 30);
      }
      float[] before = a.clone();
      float returned = VectorSupport.expInPlace(a, at, n, shift);
      float[] chain = new float[lanes];
      float[] x = new float[lanes];
      float[] e = new float[lanes];
      for (int i = 0; i < a.length; i++) {
        if (i < at || i >= at + n) {
          assertThat(a[i]).as("n %d, element %d, outside the range", n, i).isEqualTo(before[i]);
          continue;
        }
        x[0] = before[i] - shift;
        VectorSupport.exp(FloatVector.fromArray(VectorSupport.F, x, 0)).intoArray(e, 0);
        assertThat(Float.floatToRawIntBits(a[i]))
            .as("n %d, element %d: e^(%s)", n, i, x[0])
            .isEqualTo(Float.floatToRawIntBits(e[0]));
        chain[(i - at) % lanes] += a[i];
      }
      float expected = VectorSupport.sum(FloatVector.fromArray(VectorSupport.F, chain, 0));
      assertThat(Float.floatToRawIntBits(returned))
          .as("n %d, the sum", n)
          .isEqualTo(Float.floatToRawIntBits(expected));
    }
  }

  /**
   * The same inputs before and after C2 compiles {@link VectorSupport#exp}: the same bits, which
   * {@code lanewise(EXP)} did not give (the interpreter's fallback and the intrinsic round apart).
   */
  @Test
  void expIsTheSameBeforeAndAfterCompilation() {
    int lanes = VectorSupport.F.length();
    float[][] inputs = new float[64][lanes];
    int[][] first = new int[inputs.length][lanes];
    float[] y = new float[lanes];
    for (int i = 0; i < inputs.length; i++) {
      for (int j = 0; j < lanes; j++) {
        inputs[i][j] = (float) (random.nextGaussian() * 10);
      }
      VectorSupport.exp(FloatVector.fromArray(VectorSupport.F, inputs[i], 0)).intoArray(y, 0);
      for (int j = 0; j < lanes; j++) {
        first[i][j] = Float.floatToRawIntBits(y[j]);
      }
    }
    for (int round = 0; round < 5000; round++) {
      for (int i = 0; i < inputs.length; i++) {
        VectorSupport.exp(FloatVector.fromArray(VectorSupport.F, inputs[i], 0)).intoArray(y, 0);
        for (int j = 0; j < lanes; j++) {
          if (Float.floatToRawIntBits(y[j]) != first[i][j]) {
            assertThat(Float.floatToRawIntBits(y[j]))
                .as("input %d lane %d, round %d", i, j, round)
                .isEqualTo(first[i][j]);
          }
        }
      }
    }
  }

  private static float sumOf(float[] x) {
    return VectorSupport.sum(FloatVector.fromArray(VectorSupport.F, x, 0));
  }

  private float[] mixedMagnitudes(int lanes) {
    float[] x = new float[lanes];
    for (int i = 0; i < lanes; i++) {
      x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
    }
    return x;
  }

  private static float treeSum(float[] lanes) {
    float[] v = lanes.clone();
    int n = v.length;
    for (int by = n / 2; by >= 1; by /= 2) {
      float[] rotated = new float[n];
      for (int i = 0; i < n; i++) {
        rotated[i] = v[i] + v[(i + by) % n];
      }
      v = rotated;
    }
    return v[0];
  }

  private static float inOrderSum(float[] lanes) {
    float s = 0;
    for (float v : lanes) {
      s += v;
    }
    return s;
  }
}
