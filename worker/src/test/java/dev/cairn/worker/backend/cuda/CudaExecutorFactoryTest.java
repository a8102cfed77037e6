package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** KV pool sizing and the does-not-fit refusal, on synthetic memory figures (no GPU needed). */
class CudaExecutorFactoryTest {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  private static Path tiny() {
    String root = System.getProperty("cairn.repo.root", "..");
    return Path.of(root, "models/tiny-shakespeare");
  }

  private final ModelConfig config = ModelConfig.load(tiny());

  @Test
  void weightBytesCountTiedEmbeddingsOnceAndHalveNarrowedMatrices() throws IOException {
    long f32 = CudaExecutorFactory.deviceWeightBytes(tiny(), config, false, null);
    long narrowed = CudaExecutorFactory.deviceWeightBytes(tiny(), config, true, null);
    long forcedBf16 = CudaExecutorFactory.deviceWeightBytes(tiny(), config, false, DType.BF16);

    long file = Files.size(tiny().resolve("model.safetensors"));
    assertThat(f32).isLessThanOrEqualTo(file).isGreaterThan(file * 95 / 100);
    // Matrices halve; the F32 vectors (norms, biases) stay.
    assertThat(narrowed).isLessThan(f32 * 52 / 100).isGreaterThan(f32 / 2);
    assertThat(forcedBf16).isEqualTo(narrowed);
  }

  @Test
  void thePoolTakesNinetyPercentOfFreeMemoryMinusWeightsAndWorkspace() {
    var mem = new CudaContext.MemoryInfo(10 * GIB, 16 * GIB);
    long weights = 100 * MIB;

    int blocks = CudaExecutorFactory.kvBlocks(config, weights, 0, mem, "GPU 0");

    long budget = (long) (0.9 * 10 * GIB) - weights - CudaExecutorFactory.WORKSPACE_RESERVE;
    assertThat(blocks).isEqualTo((int) (budget / (4L * 2 * 16 * 64 * 4)));
  }

  @Test
  void anExplicitKvBudgetIsHonoured() {
    var mem = new CudaContext.MemoryInfo(10 * GIB, 16 * GIB);
    assertThat(CudaExecutorFactory.kvBlocks(config, 100 * MIB, 64 * MIB, mem, "GPU 0"))
        .isEqualTo((int) (64 * MIB / 32768));
  }

  @Test
  void aModelThatDoesNotFitIsRefusedWithTheSizes() {
    var small = new CudaContext.MemoryInfo(300 * MIB, 16 * GIB);
    assertThatThrownBy(() -> CudaExecutorFactory.kvBlocks(config, 100 * MIB, 0, small, "GPU 1"))
        .isInstanceOf(CudaFailure.class)
        .hasMessageContaining("does not fit on GPU 1")
        .hasMessageContaining("weights 0.10 GiB")
        .hasMessageContaining("one 512-token sequence")
        .hasMessageContaining("0.29 GiB free");
    var roomy = new CudaContext.MemoryInfo(10 * GIB, 16 * GIB);
    assertThatThrownBy(
            () -> CudaExecutorFactory.kvBlocks(config, 100 * MIB, 512 * 1024, roomy, "GPU 0"))
        .hasMessageContaining("at least 0.00 GiB for one 512-token sequence");
  }
}
