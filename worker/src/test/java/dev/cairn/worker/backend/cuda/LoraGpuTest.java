package dev.cairn.worker.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.LoraCases;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GPU LoRA delta (shrink and expand kernels) against the reference through the backend, with
 * adapter weights in each dtype LoraWeights keeps (F32, BF16, F16: each its own kernel); skipped,
 * and reported so, without a usable GPU.
 */
@Tag("gpu")
class LoraGpuTest {

  @ParameterizedTest(name = "{0} rows={1} in={2} out={3}")
  @CsvSource({
    "F32, 1, 128, 128",
    "F32, 37, 300, 257",
    "F32, 300, 896, 4864",
    "BF16, 37, 300, 257",
    "BF16, 300, 896, 4864",
    "F16, 37, 300, 257"
  })
  void matchesTheReferenceOnMixedAdapterRows(DType weights, int rows, int in, int out) {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
    try (CudaBackend gpu = new CudaBackend(probe.devices().getFirst().ordinal(), false)) {
      LoraCases.check(gpu, weights, rows * 31L + in, rows, in, out, 8, 0, 4, 16);
      LoraCases.check(gpu, weights, rows * 17L + out, rows, in, out, 1);
      // A second step reuses the scratch and row buffers.
      LoraCases.check(gpu, weights, rows * 13L + out, Math.max(1, rows / 2), in, out, 16, 2);
    }
  }
}
