package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.backend.LoraCases;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU LoRA delta against the reference: vector kernels on two threads and the scalar fallback
 * on one, on shapes that are not multiples of the vector length, small (one thread) and large
 * enough to be split across threads.
 */
class CpuLoraTest {

  @ParameterizedTest(name = "vector={0} rows={1} in={2} out={3}")
  @CsvSource({
    "true, 1, 128, 128",
    "true, 7, 131, 75",
    "true, 64, 300, 257",
    "false, 7, 131, 75",
    "false, 64, 300, 257"
  })
  void matchesTheReferenceOnMixedAdapterRows(boolean vector, int rows, int in, int out) {
    try (CpuBackend cpu = new CpuBackend(vector ? 2 : 1, vector)) {
      LoraCases.check(cpu, rows * 31L + in, rows, in, out, 8, 0, 4, 16);
      LoraCases.check(cpu, rows * 17L + out, rows, in, out, 1);
    }
  }

  @Test
  void rejectsMismatchedShapesAndSlots() {
    Arena arena = Arena.ofAuto();
    HostTensor a = HostTensor.allocateF32(arena, 4, 16);
    HostTensor bT = HostTensor.allocateF32(arena, 2, 8);
    assertThatThrownBy(
            () ->
                new LoraBatch(
                    new DeviceTensor[] {a}, new DeviceTensor[] {bT}, new float[1], new int[] {0}))
        .hasMessageContaining("same rank r");
    HostTensor okB = HostTensor.allocateF32(arena, 4, 8);
    assertThatThrownBy(
            () ->
                new LoraBatch(
                    new DeviceTensor[] {a}, new DeviceTensor[] {okB}, new float[1], new int[] {1}))
        .hasMessageContaining("row 0 uses slot 1 outside [-1, 1)");
    LoraBatch batch =
        new LoraBatch(
            new DeviceTensor[] {a}, new DeviceTensor[] {okB}, new float[] {1}, new int[] {0});
    try (CpuBackend cpu = new CpuBackend(1, true)) {
      HostTensor x = HostTensor.allocateF32(arena, 1, 12);
      HostTensor out = HostTensor.allocateF32(arena, 1, 8);
      assertThatThrownBy(() -> cpu.loraDelta(x, batch, out)).hasMessageContaining("do not fit");
    }
  }
}
