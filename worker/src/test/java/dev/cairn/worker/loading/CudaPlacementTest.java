package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the weights take on the device, computed from the prepared host weights (no GPU needed). */
class CudaPlacementTest {

  private final Path tiny = TestModels.tinyShakespeare();

  @Test
  void weightBytesCountTiedEmbeddingsOnceAndHalveNarrowedMatrices() throws IOException {
    long f32;
    long narrowed;
    long forcedBf16;
    try (HostWeights stored = HostWeights.load(tiny, "auto");
        HostWeights bf16 = HostWeights.load(tiny, "bfloat16")) {
      f32 = CudaPlacement.deviceWeightBytes(stored.tensors(), false);
      narrowed = CudaPlacement.deviceWeightBytes(stored.tensors(), true);
      forcedBf16 = CudaPlacement.deviceWeightBytes(bf16.tensors(), false);
    }

    long file = Files.size(tiny.resolve("model.safetensors"));
    assertThat(f32).isLessThanOrEqualTo(file).isGreaterThan(file * 95 / 100);
    // Matrices halve; the F32 vectors (norms, biases) stay.
    assertThat(narrowed).isLessThan(f32 * 52 / 100).isGreaterThan(f32 / 2);
    assertThat(forcedBf16).isEqualTo(narrowed);
  }
}
