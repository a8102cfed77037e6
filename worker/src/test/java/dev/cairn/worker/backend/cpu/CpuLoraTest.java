package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
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
 * enough to be split across threads, with F32 and BF16 adapters (read as stored) and F16 ones
 * (widened by upload).
 */
class CpuLoraTest {

  @ParameterizedTest(name = "{0} vector={1} rows={2} in={3} out={4}")
  @CsvSource({
    "F32, true, 1, 128, 128",
    "F32, true, 7, 131, 75",
    "F32, true, 64, 300, 257",
    "F32, false, 7, 131, 75",
    "F32, false, 64, 300, 257",
    "BF16, true, 1, 128, 128",
    "BF16, true, 7, 131, 75",
    "BF16, true, 64, 300, 257",
    "BF16, false, 7, 131, 75",
    "F16, true, 7, 131, 75"
  })
  void matchesTheReferenceOnMixedAdapterRows(
      DType weights, boolean vector, int rows, int in, int out) {
    try (CpuBackend cpu = new CpuBackend(vector ? 2 : 1, vector)) {
      LoraCases.check(cpu, weights, rows * 31L + in, rows, in, out, 8, 0, 4, 16);
      LoraCases.check(cpu, weights, rows * 17L + out, rows, in, out, 1);
    }
  }

  @Test
  void keepsBf16AdaptersAsStoredAndWidensF16OnUpload() {
    Arena arena = Arena.ofAuto();
    try (CpuBackend cpu = new CpuBackend(1, true)) {
      HostTensor base = HostTensor.allocateF32(arena, 16, 16);
      HostTensor bf16 = new HostTensor(DType.BF16, new int[] {4, 16}, arena.allocate(4 * 16 * 2));
      assertThat(cpu.uploadBeside(bf16, cpu.upload(base))).isSameAs(bf16);
      // A base BF16 matrix, by contrast, is repacked for the matmul kernels.
      assertThat(cpu.upload(bf16)).isNotSameAs(bf16).isInstanceOf(PanelWeight.class);
      HostTensor f16 = new HostTensor(DType.F16, new int[] {4, 16}, arena.allocate(4 * 16 * 2));
      assertThat(cpu.uploadBeside(f16, cpu.upload(base)).dtype()).isEqualTo(DType.F32);
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
      // F16 reaches the kernel only when upload is bypassed.
      HostTensor f16 = new HostTensor(DType.F16, new int[] {4, 12}, arena.allocate(4 * 12 * 2));
      LoraBatch half =
          new LoraBatch(
              new DeviceTensor[] {f16}, new DeviceTensor[] {okB}, new float[] {1}, new int[] {0});
      assertThatThrownBy(() -> cpu.loraDelta(x, half, out))
          .hasMessageContaining("lora_A must be an F32 or BF16 host tensor")
          .hasMessageContaining("F16 [4, 12]");
    }
  }
}
