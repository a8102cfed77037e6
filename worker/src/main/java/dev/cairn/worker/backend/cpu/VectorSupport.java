package dev.cairn.worker.backend.cpu;

import dev.cairn.worker.backend.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Species and loads shared by the vector kernels: F32 in registers, BF16 widened on load. */
final class VectorSupport {

  /** The widest float species of this CPU (8 lanes on AVX2, 16 on AVX-512). */
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  /** Shorts with as many lanes as {@link #F}: one BF16 load feeds one float vector. */
  static final VectorSpecies<Short> S =
      VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

  /** Ints shaped as {@link #F}. */
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

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

  /** BF16 weights at byte offset {@code off}, widened: BF16 is the top half of an F32. */
  static FloatVector bf16(MemorySegment s, long off) {
    ShortVector raw = ShortVector.fromMemorySegment(S, s, off, ByteOrder.LITTLE_ENDIAN);
    IntVector wide = (IntVector) raw.convertShape(VectorOperators.S2I, I, 0);
    return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
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
