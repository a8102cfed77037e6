package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Species and loads shared by the vector kernels: F32 in registers, BF16 widened on load. */
final class VectorSupport {

  /** The widest float species of this CPU (8 lanes on AVX2, 16 on AVX-512). */
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /**
   * Whether tiles of 12 or 16 accumulators fit the vector registers beside their operands: with
   * 16-lane vectors (AVX-512's 32 registers) they do; on 8 lanes (AVX2's 16) they spill, so the
   * kernels there, and on narrower vectors, run tiles of eight accumulators or fewer: four-token
   * panel tiles ({@link TileActivations#EIGHTS}, {@link Bf16PanelMatmul#takesHeapCopy}, {@link
   * QuantPanelWeight#maxTileTokens}) and four-row slab tiles ({@link QuantSlabMatmul}).
   */
  static final boolean WIDE_TILES = F.length() >= 16;

  /** Ints shaped as {@link #F}. */
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

  /** Shorts with {@link #F}'s lane count (half its bits), for in-order BF16 loads. */
  static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * Short.SIZE));

  // A constant shuffle keeps sum's rearrange intrinsified; on eight lanes it is never used.
  private static final VectorShuffle<Float> ROTATE_8 = rotation(8);

  // Built once, not per sum: sum runs at the end of every dot product.
  private static final VectorShuffle<Float>[] WIDE_ROTATIONS = wideRotations();

  static final ValueLayout.OfFloat LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort LE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private VectorSupport() {}

  /** Whether vector kernels are worth running here (at least 4 float lanes). */
  static boolean available() {
    return F.length() >= 4;
  }

  /** F32 activations at byte offset {@code off}. */
  static FloatVector xf(MemorySegment s, long off) {
    return FloatVector.fromMemorySegment(F, s, off, ByteOrder.LITTLE_ENDIAN);
  }

  /** F32 weights at byte offset {@code off}. */
  static FloatVector f32(MemorySegment s, long off) {
    return FloatVector.fromMemorySegment(F, s, off, ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The even elements of BF16 pairs loaded as int lanes (two weights per lane), as F32.
   * Little-endian puts element 2j in the low half of lane j, so one shift widens it; no lane
   * shuffle or convert is needed.
   */
  static FloatVector evens(IntVector pairs) {
    return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /**
   * The odd elements of BF16 pairs loaded as int lanes, as F32: element 2j+1 is already the high
   * half.
   */
  static FloatVector odds(IntVector pairs) {
    return pairs.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats();
  }

  /**
   * {@link #F}.length() consecutive BF16 weights at byte offset {@code off}, widened in order:
   * sign-extended to int lanes (as {@link QuantLoads} widens bytes), then shifted into the high
   * half, which drops the extension. For kernels that cannot use the {@link #evens}/{@link #odds}
   * split, such as one whose outputs are the weight's columns.
   */
  static FloatVector bf16(MemorySegment s, long off) {
    ShortVector v = ShortVector.fromMemorySegment(S, s, off, ByteOrder.LITTLE_ENDIAN);
    IntVector i = (IntVector) v.convertShape(VectorOperators.S2I, I, 0);
    return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /**
   * The sum of the lanes, always added in the same order. {@code reduceLanes(ADD)} leaves the order
   * open: C2's intrinsic adds in a tree and the interpreter's fallback in sequence, so a row summed
   * by compiled code and the same row summed before compilation could differ in the last bit, and a
   * batched step would no longer equal the same rows computed alone. Here the order is C2's tree,
   * written out: lanes 8 and up folded onto the first eight by one rotation (lanewise, alike in
   * every mode), then those eight added as scalars in pairs. Scalars, not three more rotations: a
   * tile ends in eight sums, and their rearranges pushed tiles past C2's inlining budget, which
   * then boxed the accumulators.
   */
  static float sum(FloatVector v) {
    if (F.length() > 16) {
      v = foldBeyond16(v);
    }
    if (F.length() >= 16) {
      v = v.add(v.rearrange(ROTATE_8));
    }
    if (F.length() >= 8) {
      return ((v.lane(0) + v.lane(4)) + (v.lane(2) + v.lane(6)))
          + ((v.lane(1) + v.lane(5)) + (v.lane(3) + v.lane(7)));
    }
    return (v.lane(0) + v.lane(2)) + (v.lane(1) + v.lane(3));
  }

  private static final float LOG2E = 1.44269504f;
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUNDING = 12582912f; // 1.5 · 2^23: x + it rounds x to an integer
  private static final int ROUNDING_BITS = Float.floatToRawIntBits(ROUNDING);
  private static final FloatVector EXP_LOW = FloatVector.broadcast(F, -87.3f);
  private static final FloatVector EXP_HIGH = FloatVector.broadcast(F, 88f);
  // Cephes' expf polynomial for e^r, highest degree first; shared by exp and expInPlace
  private static final float EXP_C0 = 1.9875691500e-4f;
  private static final float EXP_C1 = 1.3981999507e-3f;
  private static final float EXP_C2 = 8.3334519073e-3f;
  private static final float EXP_C3 = 4.1665795894e-2f;
  private static final float EXP_C4 = 1.6666665459e-1f;
  private static final float EXP_C5 = 5.0000001201e-1f;

  /**
   * Whether {@link #expInPlace} loads and stores every vector under a mask (all lanes but in the
   * last) rather than only the last. On AVX-512, where masks are registers of their own, the masked
   * loop ran one decode row's attention at 4,096 positions in 274–299 µs a layer against the old
   * code's 282–344 (four alternated rounds), the unmasked loop with a branch 8–68% slower than the
   * old code (five); on AVX2, where masked moves are slower instructions, masking every vector cost
   * 3–18% (three).
   */
  private static final boolean MASK_EVERY_VECTOR = F.length() >= 16;

  /**
   * e^x in every lane, from multiplies and adds alone, so it is the same bits in every mode. {@code
   * lanewise(EXP)} is not: C2's intrinsic and the interpreter's fallback round differently, so
   * attention and SwiGLU gave a request other bits (and, at a near tie, another token) before their
   * code was compiled than after (two identical attention calls differed in the last bit; {@code
   * CpuBackendTest.attentionGivesTheSameBitsOnEveryCall}). Cephes' expf: x = n·ln 2 + r with |r| ≤
   * ln 2 / 2, a degree-7 polynomial for e^r, 2^n put in the exponent; within 2 ulp of {@code
   * Math.exp} over the clamped range [-87.3, 88] (below it the result is 2^-126, above e^88, where
   * a softmax weight or a SiLU denominator no longer moves). The clamp is a compare and a blend:
   * the same lanes as {@code max(-87.3f).min(88f)} (NaN stays NaN, neither comparison holds for
   * it), but Java's {@code max}/{@code min}, which must order NaN and signed zeros, compile to
   * several instructions each and took about a quarter of the function's time.
   */
  static FloatVector exp(FloatVector x) {
    FloatVector c = x.blend(EXP_LOW, x.compare(VectorOperators.LT, EXP_LOW));
    c = c.blend(EXP_HIGH, c.compare(VectorOperators.GT, EXP_HIGH));
    FloatVector t = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDING));
    FloatVector n = t.sub(ROUNDING);
    // n · LN2_HI is exact (LN2_HI has nine significant bits): r keeps the low bits of c
    FloatVector r = c.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
    FloatVector p = r.mul(EXP_C0).add(EXP_C1);
    p = p.fma(r, FloatVector.broadcast(F, EXP_C2));
    p = p.fma(r, FloatVector.broadcast(F, EXP_C3));
    p = p.fma(r, FloatVector.broadcast(F, EXP_C4));
    p = p.fma(r, FloatVector.broadcast(F, EXP_C5));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    IntVector scale =
        t.reinterpretAsInts().sub(ROUNDING_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
    return y.mul(scale.reinterpretAsFloats());
  }

  /**
   * {@code a[at + p] = e^(a[at + p] − shift)} for {@code p < n}, returning their sum (one chain in
   * position order, then {@link #sum}): a softmax's exponentials, each the same bits as {@link
   * #exp} gives ({@code VectorSupportTest}).
   *
   * <p>Arrays in and out, and {@link #exp}'s polynomial written out in the loop rather than called:
   * a vector that crosses a call C2 did not inline is boxed, a heap object per vector. When this
   * loop called {@link #exp}, C2 ran out of its node budget ({@code NodeCountInliningCutoff}) at
   * the second call (the masked last vector) and at {@link #sum} even where it compiled the loop on
   * its own; and where it inlined the loop into {@code GroupedAttention.values8} (whether it did
   * depended on which of the two it compiled first), the main call failed as well and every vector
   * was boxed: prompt attention ran four times slower (1.1 against 0.27 ms a layer) for the rest of
   * the process, in about one process of five (the record's "Softmax exponentials boxed"). At over
   * 350 bytes of bytecode this method is never inlined (C2's {@code FreqInlineSize} is 325), and
   * inlined or not it calls nothing that takes a vector but {@link #sum}, once. SwiGLU keeps
   * calling {@link #exp} inside its own small loop, where it always inlines: taking its
   * exponentials through an array instead doubled its time.
   */
  static float expInPlace(float[] a, int at, int n, float shift) {
    // MASK_EVERY_VECTOR is a constant: C2 keeps one of the two paths
    int l = F.length();
    FloatVector by = FloatVector.broadcast(F, shift);
    FloatVector total = FloatVector.zero(F);
    for (int p = 0; p < n; p += l) {
      boolean plain = p + l <= n && !MASK_EVERY_VECTOR;
      VectorMask<Float> m = F.indexInRange(p, n);
      FloatVector x =
          (plain ? FloatVector.fromArray(F, a, at + p) : FloatVector.fromArray(F, a, at + p, m))
              .sub(by);
      // exp(x), as written and explained there
      FloatVector c = x.blend(EXP_LOW, x.compare(VectorOperators.LT, EXP_LOW));
      c = c.blend(EXP_HIGH, c.compare(VectorOperators.GT, EXP_HIGH));
      FloatVector t = c.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUNDING));
      FloatVector k = t.sub(ROUNDING);
      FloatVector r = c.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
      FloatVector q = r.mul(EXP_C0).add(EXP_C1);
      q = q.fma(r, FloatVector.broadcast(F, EXP_C2));
      q = q.fma(r, FloatVector.broadcast(F, EXP_C3));
      q = q.fma(r, FloatVector.broadcast(F, EXP_C4));
      q = q.fma(r, FloatVector.broadcast(F, EXP_C5));
      FloatVector y = q.fma(r.mul(r), r).add(1f);
      IntVector scale =
          t.reinterpretAsInts().sub(ROUNDING_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
      FloatVector e = y.mul(scale.reinterpretAsFloats());
      if (plain) {
        e.intoArray(a, at + p);
        total = total.add(e);
      } else {
        e.intoArray(a, at + p, m);
        total = total.add(e, m);
      }
    }
    return sum(total);
  }

  /** Folds lanes 16 and up onto the first 16, for vectors wider than AVX-512's (SVE). */
  private static FloatVector foldBeyond16(FloatVector v) {
    for (VectorShuffle<Float> rotation : WIDE_ROTATIONS) {
      v = v.add(v.rearrange(rotation));
    }
    return v;
  }

  /** Rotations by half the lanes, a quarter, … down to 16 lanes: none below 32 lanes. */
  private static VectorShuffle<Float>[] wideRotations() {
    List<VectorShuffle<Float>> out = new ArrayList<>();
    for (int by = F.length() / 2; by >= 16; by /= 2) {
      out.add(rotation(by));
    }
    @SuppressWarnings("unchecked")
    VectorShuffle<Float>[] array = out.toArray(new VectorShuffle[0]);
    return array;
  }

  private static VectorShuffle<Float> rotation(int by) {
    int n = F.length();
    return VectorShuffle.fromOp(F, i -> (i + by) % n);
  }

  /** F32 element {@code i}. */
  static float f32At(MemorySegment s, long i) {
    return s.getAtIndex(LE, i);
  }

  /** BF16 element {@code i} widened. */
  static float bf16At(MemorySegment s, long i) {
    return DType.bf16ToFloat(s.getAtIndex(LE16, i));
  }
}
