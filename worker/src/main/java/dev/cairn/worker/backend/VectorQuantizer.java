package dev.cairn.worker.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Quantizes rows into Q8_0 / Q4_0 blocks with vectors, writing bit for bit what {@link
 * QuantBlocks#quantizeQ8} and {@link QuantBlocks#quantizeQ4} write (their NaN and infinity
 * behaviour included), and widens BF16 rows to floats. Element by element, a Q8_0 load of the 0.5B
 * shape took 5.1–5.2 s on two cores, three quarters of it in those loops (JFR); now 3.0–3.2 s.
 */
final class VectorQuantizer {

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int L = F.length();
  // Codes narrow to a byte vector of L lanes where one exists (64 bits and up: L >= 8); on 4 lanes
  // (NEON, 128-bit x86) they are packed into one int instead (storeCodes).
  private static final VectorSpecies<Byte> B =
      L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
  private static final VectorSpecies<Short> S =
      L >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16)) : null;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ValueLayout.OfInt PACKED =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** On 4 lanes, each lane's byte place in a little-endian int: 1, 2^8, 2^16, 2^24. */
  private static final IntVector BYTE_PLACES =
      L == 4 ? IntVector.fromArray(I, new int[] {1, 1 << 8, 1 << 16, 1 << 24}, 0) : null;

  private VectorQuantizer() {}

  /** Whether vectors here split a block into whole vectors of at least 4 lanes. */
  static boolean available() {
    return S != null && QuantBlocks.BLOCK / 2 % L == 0;
  }

  /** Row {@code x[0, in)} as Q8_0 blocks from byte {@code base} of {@code out}. */
  static void q8Row(float[] x, int in, MemorySegment out, long base) {
    long blockBytes = DType.Q8_0.byteSize(QuantBlocks.BLOCK);
    for (int from = 0; from < in; from += QuantBlocks.BLOCK, base += blockBytes) {
      FloatVector amax = FloatVector.zero(F);
      for (int j = 0; j < QuantBlocks.BLOCK; j += L) {
        // MAX keeps Math.max's NaN, as the scalar loop's Math.max does
        amax = amax.max(FloatVector.fromArray(F, x, from + j).abs());
      }
      float d = amax.reduceLanes(VectorOperators.MAX) / 127f;
      float id = d != 0 ? 1f / d : 0f;
      out.set(HostTensor.I16, base, Float.floatToFloat16(d));
      for (int j = 0; j < QuantBlocks.BLOCK; j += L) {
        FloatVector v = FloatVector.fromArray(F, x, from + j).mul(id);
        storeCodes(roundHalfAway(v), out, base + 2 + j);
      }
    }
  }

  /** Row {@code x[0, in)} as Q4_0 blocks from byte {@code base} of {@code out}. */
  static void q4Row(float[] x, int in, MemorySegment out, long base) {
    long blockBytes = DType.Q4_0.byteSize(QuantBlocks.BLOCK);
    int half = QuantBlocks.BLOCK / 2;
    for (int from = 0; from < in; from += QuantBlocks.BLOCK, base += blockBytes) {
      // The scalar loop skips NaNs (|NaN| > amax is false), so they count as 0 here.
      FloatVector amax = FloatVector.zero(F);
      for (int j = 0; j < QuantBlocks.BLOCK; j += L) {
        FloatVector a = FloatVector.fromArray(F, x, from + j).abs();
        amax = amax.max(a.blend(0f, a.test(VectorOperators.IS_NAN)));
      }
      float top = amax.reduceLanes(VectorOperators.MAX);
      // The first weight of the largest magnitude gives its sign; none when all are zero.
      float max = 0f;
      if (top != 0) {
        for (int j = 0; j < QuantBlocks.BLOCK; j += L) {
          VectorMask<Float> at =
              FloatVector.fromArray(F, x, from + j).abs().compare(VectorOperators.EQ, top);
          if (at.anyTrue()) {
            max = x[from + j + at.firstTrue()];
            break;
          }
        }
      }
      float d = max / -8f;
      float id = d != 0 ? 1f / d : 0f;
      out.set(HostTensor.I16, base, Float.floatToFloat16(d));
      for (int j = 0; j < half; j += L) {
        IntVector lo = nibble(FloatVector.fromArray(F, x, from + j).mul(id));
        IntVector hi = nibble(FloatVector.fromArray(F, x, from + half + j).mul(id));
        storeCodes(lo.or(hi.lanewise(VectorOperators.LSHL, 4)), out, base + 2 + j);
      }
    }
  }

  /**
   * BF16 elements {@code [offset, offset + n)} of {@code src} as floats into {@code out}: a BF16 is
   * a float's upper half, so the widening is exact.
   */
  static void bf16Row(MemorySegment src, long offset, int n, float[] out) {
    int bound = n - n % L;
    long at = offset * Short.BYTES;
    int i = 0;
    for (; i < bound; i += L, at += (long) L * Short.BYTES) {
      ((IntVector)
              ShortVector.fromMemorySegment(S, src, at, LE).convertShape(VectorOperators.S2I, I, 0))
          .lanewise(VectorOperators.LSHL, 16)
          .reinterpretAsFloats()
          .intoArray(out, i);
    }
    for (; i < n; i++, at += Short.BYTES) {
      out[i] = DType.bf16ToFloat(src.get(HostTensor.I16, at));
    }
  }

  /**
   * The low byte of each lane of {@code q}, lane order, at byte {@code at} of {@code out}: narrowed
   * to a byte vector where one has L lanes; on 4 lanes (the smallest byte vector has 8) moved to
   * their places in an int by one multiply and summed across the lanes (no byte carries into the
   * next: each is masked to 0–255 first), then stored as one int. A per-lane shift would do the
   * same, but 128-bit x86 (AVX) has no variable shift.
   */
  private static void storeCodes(IntVector q, MemorySegment out, long at) {
    if (B != null) {
      q.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoMemorySegment(out, at, LE);
    } else {
      out.set(PACKED, at, q.and(0xFF).mul(BYTE_PLACES).reduceLanes(VectorOperators.ADD));
    }
  }

  /**
   * C's roundf, as {@code QuantBlocks.roundHalfAway}: the magnitude rounded half up (truncating
   * {@code a + 0.5}, then one down where that sum rounded up onto the next integer, as it does for
   * the float just below 0.5), the sign put back; NaN gives 0, as Java's int cast does.
   */
  private static IntVector roundHalfAway(FloatVector v) {
    FloatVector a = v.abs();
    IntVector r = (IntVector) a.add(0.5f).convert(VectorOperators.F2I, 0);
    FloatVector rf = (FloatVector) r.convert(VectorOperators.I2F, 0);
    VectorMask<Integer> over = rf.sub(0.5f).compare(VectorOperators.GT, a).cast(I);
    r = r.sub(1, over);
    return r.lanewise(VectorOperators.NEG, v.compare(VectorOperators.LT, 0f).cast(I));
  }

  /** ggml's 4-bit code, as {@code QuantBlocks.nibble}: {@code min(15, (byte) (int) (s + 8.5))}. */
  private static IntVector nibble(FloatVector scaled) {
    IntVector i = (IntVector) scaled.add(8.5f).convert(VectorOperators.F2I, 0);
    IntVector asByte = i.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24);
    return asByte.min(15);
  }
}
