package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.testing.TestModels;
import org.junit.jupiter.api.Test;

/** KV pool sizing and the does-not-fit refusals, on synthetic memory figures (no GPU needed). */
class KvPoolSizeTest {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  // The tiny model: 4 layers, 2 KV heads of 32 dims, F32 keys and values.
  private static final long BLOCK_BYTES = 2L * 4 * 16 * 64 * 4;

  private final ModelConfig config = ModelConfig.load(TestModels.tinyShakespeare());

  @Test
  void theDevicePoolTakesNinetyPercentOfFreeMemoryMinusWeightsAndWorkspace() {
    long weights = 100 * MIB;

    int blocks = KvPoolSize.device(config, DType.F32, 512, weights, 0, 10 * GIB, "GPU 0", 0.9);

    long budget = (long) (0.9 * 10 * GIB) - weights - KvPoolSize.WORKSPACE_RESERVE;
    assertThat(blocks).isEqualTo((int) (budget / BLOCK_BYTES));
  }

  @Test
  void anExplicitDeviceBudgetIsHonoured() {
    assertThat(
            KvPoolSize.device(config, DType.F32, 512, 100 * MIB, 64 * MIB, 10 * GIB, "GPU 0", 0.9))
        .isEqualTo((int) (64 * MIB / BLOCK_BYTES));
  }

  @Test
  void aModelThatDoesNotFitTheDevicesIsRefusedWithTheSizes() {
    assertThatThrownBy(
            () -> KvPoolSize.device(config, DType.F32, 512, 100 * MIB, 0, 300 * MIB, "GPU 1", 0.9))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("does not fit on GPU 1")
        .hasMessageContaining("weights 0.10 GiB")
        .hasMessageContaining("one 512-token sequence")
        .hasMessageContaining("0.29 GiB free");
    assertThatThrownBy(
            () ->
                KvPoolSize.device(
                    config, DType.F32, 512, 100 * MIB, 512 * 1024, 10 * GIB, "GPU 0", 0.9))
        .hasMessageContaining("at least 0.00 GiB for one 512-token sequence");
  }

  @Test
  void theServedMaxModelLenSetsTheDeviceMinimum() {
    // 16 blocks hold 256 tokens: too few for 512, enough when the spec serves 256.
    long sixteenBlocks = 16 * BLOCK_BYTES;
    assertThatThrownBy(
            () ->
                KvPoolSize.device(
                    config, DType.F32, 512, 100 * MIB, sixteenBlocks, 10 * GIB, "GPU 0", 0.9))
        .hasMessageContaining("one 512-token sequence");
    assertThat(
            KvPoolSize.device(
                config, DType.F32, 256, 100 * MIB, sixteenBlocks, 10 * GIB, "GPU 0", 0.9))
        .isEqualTo(16);
  }

  @Test
  void theHostPoolDefaultsToOneGibibyte() {
    assertThat(KvPoolSize.host(config, DType.F32, 0, 512)).isEqualTo((int) (GIB / BLOCK_BYTES));
    assertThat(KvPoolSize.host(config, DType.F32, 64 * MIB, 512))
        .isEqualTo((int) (64 * MIB / BLOCK_BYTES));
  }

  @Test
  void aHostBudgetTooSmallForOneSequenceNamesTheSpecFields() {
    assertThatThrownBy(() -> KvPoolSize.host(config, DType.F32, 16 * BLOCK_BYTES, 512))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("spec.engine.kvCacheMemory of " + 16 * BLOCK_BYTES + " bytes")
        .hasMessageContaining("fewer than the 32 one sequence of maxModelLen 512 needs");
  }

  @Test
  void aBf16PoolHoldsTwiceTheBlocksOfTheSameBudget() {
    assertThat(KvPoolSize.host(config, DType.BF16, 64 * MIB, 512))
        .isEqualTo((int) (64 * MIB / (BLOCK_BYTES / 2)));
    assertThat(
            KvPoolSize.device(config, DType.BF16, 512, 100 * MIB, 64 * MIB, 10 * GIB, "GPU 0", 0.9))
        .isEqualTo((int) (64 * MIB / (BLOCK_BYTES / 2)));
    // 16 F32 blocks' bytes hold 32 BF16 blocks: one 512-token sequence fits
    assertThat(KvPoolSize.host(config, DType.BF16, 16 * BLOCK_BYTES, 512)).isEqualTo(32);
  }
}
