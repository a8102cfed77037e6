package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Vector widening of quantized weights against the JDK's scalar conversions. */
class QuantLoadsTest {

  /**
   * Every finite F16 value (normal, subnormal, both zeros, both signs) widens to exactly {@link
   * Float#float16ToFloat}: a panel's scales must equal the GGUF blocks' scales bit for bit.
   */
  @Test
  void f16LanesEqualTheScalarConversionForEveryFiniteHalf() {
    Assumptions.assumeTrue(QuantLoads.available(), "quantized vector kernels");
    int lanes = VectorSupport.F.length();
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment halves = arena.allocate(65536L * 2);
      for (int h = 0; h < 65536; h++) {
        halves.setAtIndex(le, h, (short) h);
      }
      float[] got = new float[lanes];
      for (int h = 0; h < 65536; h += lanes) {
        QuantLoads.f16(halves, h * 2L).intoArray(got, 0);
        for (int i = 0; i < lanes; i++) {
          int bits = h + i;
          if ((bits & 0x7C00) == 0x7C00) {
            continue; // infinities and NaNs: no block scale is ever one
          }
          assertThat(Float.floatToRawIntBits(got[i]))
              .as("half 0x%04x", bits)
              .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat((short) bits)));
        }
      }
    }
  }

  /**
   * {@code f16Into} writes what {@link QuantLoads#f16} gives, vector after vector, for a panel's 32
   * scales at an offset inside a segment, and nothing past {@code n}.
   */
  @Test
  void f16IntoWritesTheLanesF16Gives() {
    Assumptions.assumeTrue(QuantLoads.available(), "quantized vector kernels");
    int lanes = VectorSupport.F.length();
    ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment halves = arena.allocate(64 * 2);
      java.util.Random random = new java.util.Random(7);
      for (int i = 0; i < 64; i++) {
        halves.setAtIndex(le, i, Float.floatToFloat16((float) random.nextGaussian()));
      }
      float[] got = new float[40];
      java.util.Arrays.fill(got, -1f);
      QuantLoads.f16Into(halves, 2L * lanes, 32, got);
      float[] lane = new float[lanes];
      for (int v = 0; v < 32; v += lanes) {
        QuantLoads.f16(halves, 2L * (lanes + v)).intoArray(lane, 0);
        for (int i = 0; i < lanes; i++) {
          assertThat(got[v + i]).as("scale %d", v + i).isEqualTo(lane[i]);
        }
      }
      for (int i = 32; i < got.length; i++) {
        assertThat(got[i]).as("past n: %d", i).isEqualTo(-1f);
      }
    }
  }

  /**
   * Every byte value's two nibbles come out of the zero-extended load as 0–15, the low one in
   * {@code lowCode}, the high one in {@code highCode}: the decode tiles subtract Q4_0's offset of 8
   * once a block, so a code must not carry the byte's sign.
   */
  @Test
  void unsignedNibblesAreEachBytesCodes() {
    Assumptions.assumeTrue(QuantLoads.available(), "quantized vector kernels");
    int lanes = VectorSupport.F.length();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = arena.allocate(256 + lanes);
      for (int v = 0; v < 256; v++) {
        bytes.set(ValueLayout.JAVA_BYTE, v + 1, (byte) v);
      }
      float[] low = new float[lanes];
      float[] high = new float[lanes];
      for (int v = 0; v < 256; v += lanes) {
        var packed = QuantLoads.packedUnsigned(bytes, v + 1L); // an odd offset: unaligned
        QuantLoads.lowCode(packed).intoArray(low, 0);
        QuantLoads.highCode(packed).intoArray(high, 0);
        for (int i = 0; i < lanes; i++) {
          assertThat(low[i]).as("low nibble of 0x%02x", v + i).isEqualTo((float) ((v + i) & 0x0F));
          assertThat(high[i]).as("high nibble of 0x%02x", v + i).isEqualTo((float) ((v + i) >> 4));
        }
      }
    }
  }

  /**
   * Every byte value comes out of {@code q8} as its signed value and out of {@code packed} as its
   * two Q4_0 codes minus 8, from an odd offset of a segment that ends with the last load: on
   * 128-bit vectors the loads read 4 bytes as one int, and nothing past them (a matrix's last block
   * ends its segment).
   */
  @Test
  void signedBytesAndNibblesReadNothingPastTheirLanes() {
    Assumptions.assumeTrue(QuantLoads.available(), "quantized vector kernels");
    int lanes = VectorSupport.F.length();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = everyByteFromOne(arena);
      float[] signed = new float[lanes];
      float[] low = new float[lanes];
      float[] high = new float[lanes];
      for (int v = 0; v < 256; v += lanes) {
        QuantLoads.q8(bytes, v + 1L).intoArray(signed, 0);
        var packed = QuantLoads.packed(bytes, v + 1L);
        QuantLoads.low(packed).intoArray(low, 0);
        QuantLoads.high(packed).intoArray(high, 0);
        for (int i = 0; i < lanes; i++) {
          int b = v + i;
          assertThat(signed[i]).as("byte 0x%02x", b).isEqualTo((float) (byte) b);
          assertThat(low[i]).as("low code of 0x%02x", b).isEqualTo((float) ((b & 0x0F) - 8));
          assertThat(high[i]).as("high code of 0x%02x", b).isEqualTo((float) ((b >> 4) - 8));
        }
      }
    }
  }

  /**
   * {@code q8Times} is every signed byte times its scale exactly, bit for bit what {@code
   * q8(..).mul(d)} gives but for the sign of a zero, for scales across the F16 range (the largest,
   * a subnormal, negative, one lane each of several in a vector) and from an odd offset of a
   * segment its last load ends.
   */
  @Test
  void codesTimesScaleEqualTheConvertedCodesMultiplied() {
    Assumptions.assumeTrue(QuantLoads.available(), "quantized vector kernels");
    int lanes = VectorSupport.F.length();
    float[] scales = {
      1f,
      0.0123f,
      -0.5f,
      65504f,
      Float.float16ToFloat((short) 1),
      Float.float16ToFloat((short) 0x03FF),
      -3.0517578e-5f,
      0f
    };
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment bytes = everyByteFromOne(arena);
      float[] perLane = new float[lanes];
      float[] got = new float[lanes];
      float[] want = new float[lanes];
      for (int s = 0; s < scales.length; s++) {
        for (int i = 0; i < lanes; i++) {
          perLane[i] = Float.float16ToFloat(Float.floatToFloat16(scales[(s + i) % scales.length]));
        }
        var d = jdk.incubator.vector.FloatVector.fromArray(VectorSupport.F, perLane, 0);
        for (int v = 0; v < 256; v += lanes) {
          QuantLoads.q8Times(bytes, v + 1L, d, QuantLoads.unbias(d)).intoArray(got, 0);
          QuantLoads.q8(bytes, v + 1L).mul(d).intoArray(want, 0);
          for (int i = 0; i < lanes; i++) {
            // a zero keeps no sign (+0 here), which no sum from +0 can tell apart
            assertThat(Float.floatToRawIntBits(got[i]))
                .as("byte 0x%02x times %s", v + i, perLane[i])
                .isEqualTo(want[i] == 0f ? 0 : Float.floatToRawIntBits(want[i]));
            assertThat(got[i] == (byte) (v + i) * perLane[i]).as("exact").isTrue();
          }
        }
      }
    }
  }

  /**
   * Every byte value 0–255 in order from byte 1 of a segment that ends with the last: loads start
   * at an odd offset, and one reading past its lanes would fail.
   */
  private static MemorySegment everyByteFromOne(Arena arena) {
    MemorySegment bytes = arena.allocate(1 + 256);
    for (int v = 0; v < 256; v++) {
      bytes.set(ValueLayout.JAVA_BYTE, v + 1, (byte) v);
    }
    return bytes;
  }
}
