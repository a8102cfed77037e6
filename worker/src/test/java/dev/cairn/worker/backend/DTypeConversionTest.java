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
 * Every pair of F32, BF16 and F16 converts in parallel chunks exactly as element by element does:
 * random values over several chunks and a partial one, with NaN, infinities, signed zeros,
 * subnormals and values that overflow or underflow the narrower formats.
 */
class DTypeConversionTest {

  private static final ValueLayout.OfFloat F32 =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Three whole chunks of 2^16 and a partial one. */
  private static final int N = 3 * (1 << 16) + 123;

  private static final float[] SPECIAL = {
    Float.NaN,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    0f,
    -0f,
    Float.MIN_VALUE,
    -Float.MIN_NORMAL,
    65504f,
    65520f, // rounds to F16 infinity
    1e-8f, // below F16's smallest subnormal
    3.4e38f,
    1.00390625f, // a BF16 tie
    1.0000001f
  };

  @Test
  void everyPairConvertsAsElementByElement() {
    try (Arena arena = Arena.ofShared()) { // chunks are converted on several threads
      for (DType from : new DType[] {DType.F32, DType.BF16, DType.F16}) {
        HostTensor src = source(from, arena);
        for (DType to : new DType[] {DType.F32, DType.BF16, DType.F16}) {
          MemorySegment dst = arena.allocate((long) N * to.bytes());
          DTypeConversion.convert(src, to, dst);
          for (int i = 0; i < N; i++) {
            float v = src.getFloat(i);
            int expected =
                switch (to) {
                  case F32 -> Float.floatToIntBits(v);
                  case BF16 -> DType.floatToBf16(v);
                  default -> Float.floatToFloat16(v);
                };
            int actual =
                to == DType.F32
                    ? Float.floatToIntBits(dst.getAtIndex(F32, i))
                    : dst.getAtIndex(I16, i);
            assertThat(actual).as("%s to %s, element %d (%s)", from, to, i, v).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void blockFormatsAreRefused() {
    try (Arena arena = Arena.ofConfined()) {
      HostTensor src = HostTensor.ofFloats(arena, new float[] {1f}, 1);
      assertThatThrownBy(() -> DTypeConversion.convert(src, DType.Q8_0, arena.allocate(64)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Q8_0");
    }
  }

  /** N elements in {@code dtype}: normals of many magnitudes, every special value now and then. */
  private static HostTensor source(DType dtype, Arena arena) {
    Random random = new Random(dtype.ordinal());
    MemorySegment seg = arena.allocate((long) N * dtype.bytes());
    for (int i = 0; i < N; i++) {
      float v =
          i % 97 == 0
              ? SPECIAL[(i / 97) % SPECIAL.length]
              : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(14) - 9));
      switch (dtype) {
        case F32 -> seg.setAtIndex(F32, i, v);
        case BF16 -> seg.setAtIndex(I16, i, DType.floatToBf16(v));
        default -> seg.setAtIndex(I16, i, Float.floatToFloat16(v));
      }
    }
    return new HostTensor(dtype, new int[] {N}, seg);
  }
}
