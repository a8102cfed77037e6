package dev.cairn.worker.backend.cpu;

import static dev.cairn.worker.backend.cpu.VectorSupport.F;
import static dev.cairn.worker.backend.cpu.VectorSupport.I;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Loads of quantized weights widened to {@link VectorSupport#F} float lanes. */
final class QuantLoads {

  /**
   * Bytes shaped so that one widens to a full float vector: 8 bytes on AVX2, 16 on AVX-512; none on
   * 4 lanes (128-bit vectors: NEON, SSE), since no byte vector is narrower than 64 bits.
   */
  static final VectorSpecies<Byte> B =
      F.length() >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

  /**
   * On 4 lanes, per lane the factor that moves byte i of a little-endian int into the top byte (a
   * left shift by 24 − 8i as one multiply: SSE4.1 and NEON multiply lane by lane, but variable
   * shifts need AVX2 on x86).
   */
  private static final IntVector TO_TOP =
      F.length() == 4 ? IntVector.fromArray(I, new int[] {1 << 24, 1 << 16, 1 << 8, 1}, 0) : null;

  private static final ValueLayout.OfInt FOUR_BYTES =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private QuantLoads() {}

  /**
   * Whether the quantized vector kernels run here: a block must split into whole float vectors of
   * 4, 8 or 16 lanes.
   */
  static boolean available() {
    return (B != null || TO_TOP != null) && 32 % F.length() == 0;
  }

  /**
   * {@code F.length()} signed bytes at byte offset {@code off}, as floats: to int lanes, then ints
   * to floats, two steps measured 1.7–2× faster than one B2F conversion across shapes, which the
   * JIT does not map to a sign-extend plus convert.
   */
  static FloatVector q8(MemorySegment w, long off) {
    return (FloatVector) packed(w, off).convert(VectorOperators.I2F, 0);
  }

  /**
   * The 4 bytes at {@code off} in the top byte of 4 int lanes (byte i in lane i), for 128-bit
   * vectors: one int read, so nothing past the 4 bytes is touched (a 64-bit byte vector would read
   * past a matrix's last block).
   */
  private static IntVector fourBytesOnTop(MemorySegment w, long off) {
    return IntVector.broadcast(I, w.get(FOUR_BYTES, off)).mul(TO_TOP);
  }

  /**
   * 1.5 · 2^23, whose float bits plus a small signed integer i, added as ints, are the float {@code
   * MAGIC + i} exactly (for |i| < 2^22: the sum stays within the exponent of 2^23, one unit in the
   * last place apart).
   */
  private static final float MAGIC = 0x1.8p23f;

  /**
   * Q8_0 codes times their block's scale: {@code F.length()} signed bytes at {@code off}, each
   * times its lane of {@code d}, equal bit for bit to {@code q8(w, off).mul(d)} (a zero product
   * always +0, which a sum started from +0 cannot tell from −0). Each code is added to {@link
   * #MAGIC}'s bits as an int, and one multiply-add with {@code d} and {@code unbias} ({@link
   * #unbias} of {@code d}) takes the magic off: {@code (MAGIC + c) · d − MAGIC · d} is {@code c ·
   * d} exactly before its one rounding, and {@code c · d} (8 by 11 significant bits) needs none. An
   * integer add in place of the int-to-float conversion, which on x86 takes an FP port from the
   * multiply-adds: the eight-token Q8_0 panel tile widens with it (one AVX-512 core, 896 × 896 at
   * 16 tokens in cache: 81.6–85.5 against 72.7–81.8 GFMA/s, and 83.9–86.4 against 78.8–82.7). Not
   * the four-token tile: on 8 lanes its two more vectors ({@code unbias}) overflow AVX2's sixteen
   * registers (35.6–38.9 against 39.8–40.0 GFMA/s), on 16 lanes it gained nothing (61.0–68.2
   * against 64.4–67.4 at 4 tokens), nor did the GGUF-row tile on 4 lanes (7.6–7.8 against 7.7–8.1).
   */
  static FloatVector q8Times(MemorySegment w, long off, FloatVector d, FloatVector unbias) {
    return packed(w, off).add(Float.floatToRawIntBits(MAGIC)).reinterpretAsFloats().fma(d, unbias);
  }

  /**
   * {@code −MAGIC · d}, what {@link #q8Times} adds to take the magic off: exact, since MAGIC has
   * two significant bits and an F16 scale eleven.
   */
  static FloatVector unbias(FloatVector d) {
    return d.mul(-MAGIC);
  }

  /**
   * {@code F.length()} F16 values at byte offset {@code off} (a panel's scales), as floats,
   * exactly. Sign-extended to int and shifted left by 13, a half's exponent and fraction land in a
   * float's; its sign lands in the float's sign and in the three bits above the exponent, which the
   * mask clears. That float is the value times 2^-112 for normal and subnormal halves alike, and
   * one exact multiply by 2^112 rescales it. Four operations after the widening, not seven
   * (magnitude and sign apart): the decode tiles convert two per block, and with seven the Q4_0 one
   * ran past C2's inlining budget and boxed its vectors (6.7 against 30.5 GFMA/s in cache).
   */
  static FloatVector f16(MemorySegment w, long off) {
    IntVector h =
        (IntVector)
            ShortVector.fromMemorySegment(VectorSupport.S, w, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, I, 0);
    return h.lanewise(VectorOperators.LSHL, 13)
        .and(0x8FFF_FFFF)
        .reinterpretAsFloats()
        .mul(0x1p112f);
  }

  /**
   * {@code n} F16 values from byte offset {@code off} (a multiple of {@code F.length()}) into
   * {@code out} from element 0, as {@link #f16} widens them: one call site for a tile that needs
   * several vectors of scales, where {@link #f16} inlined once per vector ran past C2's inlining
   * budget and its last call returned a boxed vector.
   */
  static void f16Into(MemorySegment w, long off, int n, float[] out) {
    for (int i = 0; i < n; i += F.length()) {
      f16(w, off + 2L * i).intoArray(out, i);
    }
  }

  /**
   * {@code F.length()} signed bytes at byte offset {@code off} as int lanes: Q8_0 codes, or packed
   * Q4_0 bytes sign-extended once for both of their nibbles.
   */
  static IntVector packed(MemorySegment w, long off) {
    if (B == null) {
      return fourBytesOnTop(w, off).lanewise(VectorOperators.ASHR, 24);
    }
    ByteVector b = ByteVector.fromMemorySegment(B, w, off, ByteOrder.LITTLE_ENDIAN);
    return (IntVector) b.convertShape(VectorOperators.B2I, I, 0);
  }

  /**
   * {@code F.length()} packed Q4_0 bytes at byte offset {@code off}, each shifted right by {@code
   * shift} (0: low nibbles, 4: high) and masked to its nibble, 0–15 (Q4_0's offset of 8 not taken),
   * as floats.
   */
  static FloatVector nibbles(MemorySegment w, long off, int shift) {
    return (FloatVector)
        packed(w, off)
            .lanewise(VectorOperators.LSHR, shift)
            .and(0x0F)
            .convert(VectorOperators.I2F, 0);
  }

  /**
   * {@code F.length()} packed Q4_0 bytes at byte offset {@code off}, zero-extended to int lanes:
   * the high nibble is then one shift, with no mask.
   */
  static IntVector packedUnsigned(MemorySegment w, long off) {
    if (B == null) {
      return fourBytesOnTop(w, off).lanewise(VectorOperators.LSHR, 24);
    }
    ByteVector b = ByteVector.fromMemorySegment(B, w, off, ByteOrder.LITTLE_ENDIAN);
    return (IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
  }

  /** The low nibbles of {@link #packedUnsigned} lanes, 0–15, as floats. */
  static FloatVector lowCode(IntVector packed) {
    return (FloatVector) packed.and(0x0F).convert(VectorOperators.I2F, 0);
  }

  /** The high nibbles of {@link #packedUnsigned} lanes, 0–15, as floats. */
  static FloatVector highCode(IntVector packed) {
    return (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
  }

  /** The low nibbles of {@link #packed} lanes, minus Q4_0's offset of 8, as floats. */
  static FloatVector low(IntVector packed) {
    return (FloatVector) packed.and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
  }

  /** The high nibbles of {@link #packed} lanes (sign-extended: mask after the shift), minus 8. */
  static FloatVector high(IntVector packed) {
    return (FloatVector)
        packed.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8).convert(VectorOperators.I2F, 0);
  }
}
