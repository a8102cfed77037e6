package dev.cairn.worker.backend.reference;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.LoraCases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reference LoRA delta reads 16-bit adapters as stored (widened per element) and gives the
 * delta of their F32 copies, so it can judge the other backends' 16-bit kernels.
 */
class ReferenceLoraTest {

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BF16", "F16"})
  void sixteenBitAdaptersGiveTheDeltaOfTheirWidenedCopies(DType weights) {
    try (ReferenceBackend ref = new ReferenceBackend()) {
      LoraCases.check(ref, weights, 11, 9, 37, 23, 4, 0, 3);
    }
  }
}
