package dev.cairn.worker.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.worker.backend.LoraCases;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GPU LoRA delta (shrink and expand kernels) against the reference through the backend, with
 * F32 adapter weights (as LoraWeights provides them); skipped, and reported so, without a usable
 * GPU.
 */
@Tag("gpu")
class LoraGpuTest {

  @ParameterizedTest(name = "rows={0} in={1} out={2}")
  @CsvSource({"1, 128, 128", "37, 300, 257", "300, 896, 4864"})
  void matchesTheReferenceOnMixedAdapterRows(int rows, int in, int out) {
    CudaProbe.Result probe = CudaProbe.probe();
    assumeTrue(probe.usable(), () -> "no usable GPU: " + probe.reason());
    try (CudaBackend gpu = new CudaBackend(probe.devices().getFirst().ordinal(), false)) {
      LoraCases.check(gpu, rows * 31L + in, rows, in, out, 8, 0, 4, 16);
      LoraCases.check(gpu, rows * 17L + out, rows, in, out, 1);
      // A second step reuses the scratch and row buffers.
      LoraCases.check(gpu, rows * 13L + out, Math.max(1, rows / 2), in, out, 16, 2);
    }
  }
}
