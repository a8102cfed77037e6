package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lane sum every dot-product kernel ends with: one order of additions in every mode. */
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
