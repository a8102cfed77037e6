package dev.cairn.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 / Q4_0 block layouts byte for byte (GGUF's: F16 scale first; Q4_0's low nibbles are
 * weights 0–15, high nibbles 16–31), ggml's rounding, and dequantization error bounds.
 */
class QuantBlocksTest {

  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** x_j = j − 16: a block with known codes at both ends. */
  private static float[] ramp() {
    float[] x = new float[32];
    for (int j = 0; j < 32; j++) {
      x[j] = j - 16;
    }
    return x;
  }

  @Test
  void q8BlockIsScaleThenSignedBytes() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment b = arena.allocate(34);
      QuantBlocks.quantizeQ8(ramp(), 0, b, 0);
      assertThat(b.get(I16, 0)).isEqualTo(Float.floatToFloat16(16f / 127f));
      assertThat(b.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) -127); // −16 · 127/16
      assertThat(b.get(ValueLayout.JAVA_BYTE, 2 + 16)).isEqualTo((byte) 0);
      assertThat(b.get(ValueLayout.JAVA_BYTE, 2 + 31)).isEqualTo((byte) 119); // 15 · 127/16
      assertThat(QuantBlocks.q8At(b, 0)).isEqualTo(Float.float16ToFloat(b.get(I16, 0)) * -127);
    }
  }

  @Test
  void q8RoundsHalvesAwayFromZeroAsC() {
    float[] x = new float[32];
    x[0] = 127; // d = 1 exactly
    x[1] = -2.5f;
    x[2] = 2.5f;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment b = arena.allocate(34);
      QuantBlocks.quantizeQ8(x, 0, b, 0);
      assertThat(b.get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) -3);
      assertThat(b.get(ValueLayout.JAVA_BYTE, 4)).isEqualTo((byte) 3);
    }
  }

  @Test
  void q4BlockPacksWeightJAndJPlus16IntoOneByte() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment b = arena.allocate(18);
      QuantBlocks.quantizeQ4(ramp(), 0, b, 0);
      // the largest magnitude, −16, maps to code 0: d = −16 / −8 = 2
      assertThat(Float.float16ToFloat(b.get(I16, 0))).isEqualTo(2f);
      // byte 0: weight 0 (−16 → code 0) low, weight 16 (0 → code 8) high
      assertThat(b.get(ValueLayout.JAVA_BYTE, 2) & 0xFF).isEqualTo(0x80);
      // byte 15: weight 15 (−1 → code 8) low, weight 31 (15 → 16, clamped to 15) high
      assertThat(b.get(ValueLayout.JAVA_BYTE, 2 + 15) & 0xFF).isEqualTo(0xF8);
      assertThat(QuantBlocks.q4At(b, 0)).isEqualTo(-16f);
      assertThat(QuantBlocks.q4At(b, 16)).isEqualTo(0f);
      assertThat(QuantBlocks.q4At(b, 31)).isEqualTo(14f);
    }
  }

  @Test
  void dequantizedMatrixStaysWithinAStepOfTheOriginal() {
    Random random = new Random(3);
    try (Arena arena = Arena.ofShared()) {
      HostTensor f = HostTensor.allocateF32(arena, 5, 64);
      for (long i = 0; i < f.numel(); i++) {
        f.setFloat(i, (float) random.nextGaussian());
      }
      for (DType format : new DType[] {DType.Q8_0, DType.Q4_0}) {
        HostTensor q = QuantBlocks.quantize(f, format, arena);
        assertThat(q.segment().byteSize()).isEqualTo(5 * 2 * (format == DType.Q8_0 ? 34 : 18));
        for (long i = 0; i < f.numel(); i++) {
          long base = i / 32 * format.byteSize(32);
          float step = Math.abs(QuantBlocks.scale(q.segment(), base));
          // half a step from rounding (Q4_0: a whole step where the positive end clamps at +7),
          // plus the F16 rounding of the scale over up to 127 / 8 steps
          float bound = step * (format == DType.Q8_0 ? 0.5f + 127 * 1e-3f : 1f + 8 * 1e-3f);
          assertThat(Math.abs(q.getFloat(i) - f.getFloat(i)))
              .as("%s %d", format, i)
              .isLessThanOrEqualTo(bound);
        }
      }
    }
  }

  @Test
  void rowsOfPartialBlocksAreRefusedByName() {
    try (Arena arena = Arena.ofConfined()) {
      HostTensor f = HostTensor.allocateF32(arena, 2, 40);
      assertThatThrownBy(() -> QuantBlocks.quantize(f, DType.Q8_0, arena))
          .hasMessageContaining("whole 32-weight blocks")
          .hasMessageContaining("[2, 40]");
    }
  }
}
