package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.backend.HostTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatmulKernelsGpuTest extends GpuKernelTestBase {

  /**
   * Both kernels against the reference backend on the same (dtype-rounded) weights, so the only
   * error left is F32 accumulation order: 1e-4 of Σ|x·w| for every dtype. in = 96 takes the
   * 16-byte-load path, in = 37 the scalar one; T = 1..16 the decode kernel, above it the tiled one.
   */
  @ParameterizedTest
  @CsvSource({
    "F32, 1, 96, 50",
    "F32, 5, 37, 33",
    "F32, 16, 96, 70",
    "F32, 17, 96, 70",
    "F32, 70, 130, 65",
    "BF16, 1, 96, 50",
    "BF16, 8, 37, 33",
    "BF16, 16, 256, 64",
    "BF16, 40, 96, 129",
    "BF16, 130, 256, 200",
    "BF16, 64, 896, 128",
    "F16, 1, 96, 50",
    "F16, 3, 37, 33",
    "F16, 33, 200, 17",
    "F16, 65, 72, 66"
  })
  void matmulMatchesTheReference(DeviceType type, int tokens, int in, int out) {
    float[] x = randoms(tokens * in, 1f);
    float[] w = rounded(randoms(out * in, 0.1f), type);
    DeviceBuffer y = out(tokens * out);

    ops.matmul(dev(x), dev(w, type), type, y.pointer(), tokens, in, out);

    float[] got = read(y, tokens * out);
    float[] want = referenceMatmul(x, w, tokens, in, out);
    // Σ|x·w| per output: the scale the rounding error is relative to.
    float[] magnitude = referenceMatmul(abs(x), abs(w), tokens, in, out);
    for (int i = 0; i < want.length; i++) {
      assertThat((double) got[i])
          .as("y[%d] (%s, T=%d)", i, type, tokens)
          .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * magnitude[i] + 1e-6));
    }
  }

  @ParameterizedTest
  @CsvSource({"F32, 7, 96, 40", "BF16, 12, 128, 96", "F16, 2, 64, 8"})
  void decodeAndTiledKernelsAgree(DeviceType type, int tokens, int in, int out) {
    float[] x = randoms(tokens * in, 1f);
    var xd = dev(x);
    var wd = dev(randoms(out * in, 0.1f), type);
    DeviceBuffer gemv = out(tokens * out);
    DeviceBuffer tiled = out(tokens * out);

    ops.matmul(xd, wd, type, gemv.pointer(), tokens, in, out);
    ops.matmulTiled(xd, wd, type, tiled.pointer(), tokens, in, out);

    assertClose(read(gemv, tokens * out), read(tiled, tokens * out), 1e-4, 1e-2, "gemv vs tiled");
  }

  /** Batches of 17 to 128 tokens run the weight-streaming kernel in 16-token chunks. */
  @ParameterizedTest
  @CsvSource({"BF16, 17, 96, 40", "BF16, 100, 300, 130", "F32, 128, 64, 33", "F16, 40, 64, 20"})
  void chunkedDecodeAndTiledKernelsAgree(DeviceType type, int tokens, int in, int out) {
    float[] x = randoms(tokens * in, 1f);
    var xd = dev(x);
    var wd = dev(randoms(out * in, 0.1f), type);
    DeviceBuffer chunked = out(tokens * out);
    DeviceBuffer tiled = out(tokens * out);

    ops.matmul(xd, wd, type, chunked.pointer(), tokens, in, out);
    ops.matmulTiled(xd, wd, type, tiled.pointer(), tokens, in, out);

    // Two summation orders over up to 300 products: an absolute floor of 1e-5.
    assertClose(
        read(chunked, tokens * out), read(tiled, tokens * out), 1e-4, 1e-1, "chunks vs tiled");
  }

  /** y[T,out] = x[T,in] · w[out,in]ᵀ on the reference backend. */
  private static float[] referenceMatmul(float[] x, float[] w, int tokens, int in, int out) {
    HostTensor y = zeros(tokens, out);
    REFERENCE.matmul(tensor(x, tokens, in), tensor(w, out, in), null, tokens, y);
    return values(y);
  }

  private static float[] abs(float[] v) {
    float[] a = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.abs(v[i]);
    }
    return a;
  }
}
