package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.QuantBlocks;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import java.lang.foreign.Arena;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Q8_0 / Q4_0 CUDA matmuls (GEMV for up to 16 tokens, tiled beyond) against the reference
 * backend on the same blocks, which it dequantizes element by element: equal within float rounding
 * (relative 1e-4).
 */
@Tag("gpu")
class QuantMatmulGpuTest {

  @BeforeEach
  void requireGpu() {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"Q8_0", "Q4_0"})
  void matchesReferenceOnTheDequantizedWeights(DType format) {
    Random random = new Random(5);
    int ordinal = CudaProbe.probe().devices().getFirst().ordinal();
    try (Arena arena = Arena.ofShared();
        CudaBackend gpu = new CudaBackend(ordinal, false);
        ReferenceBackend ref = new ReferenceBackend()) {
      int in = 320;
      int out = 75;
      HostTensor wf = HostTensor.allocateF32(arena, out, in);
      for (long i = 0; i < wf.numel(); i++) {
        wf.setFloat(i, (float) random.nextGaussian());
      }
      HostTensor w = QuantBlocks.quantize(wf, format, arena);
      DeviceTensor wg = gpu.upload(w);
      for (int tokens : new int[] {1, 5, 16, 17, 70, 130}) {
        float[] xs = new float[tokens * in];
        for (int i = 0; i < xs.length; i++) {
          xs[i] = (float) random.nextGaussian();
        }
        HostTensor x = HostTensor.ofFloats(arena, xs, tokens, in);
        DeviceTensor expected = ref.allocate(tokens, out);
        ref.matmul(x, w, null, tokens, expected);
        DeviceTensor xg = gpu.allocate(tokens, in);
        gpu.write(xg, xs);
        DeviceTensor yg = gpu.allocate(tokens, out);
        gpu.matmul(xg, wg, null, tokens, yg);
        float[] ex = ref.read(expected, 0, tokens * out);
        float[] ac = gpu.read(yg, 0, tokens * out);
        double tol = 1e-4 * Math.sqrt(in) * 4;
        for (int i = 0; i < ex.length; i++) {
          assertThat((double) ac[i])
              .as("tokens %d element %d", tokens, i)
              .isCloseTo(ex[i], Offset.offset(tol));
        }
      }
    }
  }
}
