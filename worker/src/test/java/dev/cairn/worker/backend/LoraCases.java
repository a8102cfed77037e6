package dev.cairn.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.backend.reference.ReferenceBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random LoRA steps run through a backend's {@link Backend#loraDelta} and through the reference:
 * several adapters of different ranks, one that leaves the projection alone, and rows of the base
 * model mixed in, in random order.
 */
public final class LoraCases {

  private static final ValueLayout.OfShort LE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private LoraCases() {}

  /**
   * Checks {@code backend} against the reference on one random step: {@code ranks[s]} is slot s's
   * rank, 0 for an adapter that leaves this projection alone. The backend gets A and Bᵀ in {@code
   * weights} (F32, BF16 or F16: random values rounded to it), the reference the same values widened
   * to F32, so a 16-bit adapter must give the delta of its widened copy. Tolerance: 1e-4 of the
   * output's largest magnitude (F32 accumulation in another order than the reference's double).
   */
  public static void check(
      Backend backend, DType weights, long seed, int rows, int in, int out, int... ranks) {
    Random rnd = new Random(seed);
    Arena arena = Arena.ofAuto();
    HostTensor x = random(arena, rnd, rows, in);
    HostTensor base = random(arena, rnd, rows, out);
    int slots = ranks.length;
    HostTensor[] a = new HostTensor[slots];
    HostTensor[] bT = new HostTensor[slots];
    HostTensor[] stored = new HostTensor[2 * slots]; // a, bT in `weights`
    float[] scale = new float[slots];
    for (int s = 0; s < slots; s++) {
      if (ranks[s] > 0) {
        stored[2 * s] = narrow(arena, random(arena, rnd, ranks[s], in), weights);
        stored[2 * s + 1] = narrow(arena, random(arena, rnd, ranks[s], out), weights);
        a[s] = widen(arena, stored[2 * s]);
        bT[s] = widen(arena, stored[2 * s + 1]);
      }
      scale[s] = 0.25f + rnd.nextFloat() * 2;
    }
    int[] rowSlot = new int[rows];
    for (int t = 0; t < rows; t++) {
      rowSlot[t] = t < slots ? t : rnd.nextInt(slots + 1) - 1; // every slot has a row
    }
    HostTensor want = HostTensor.ofFloats(arena, base.toFloats(0, rows * out), rows, out);
    try (ReferenceBackend ref = new ReferenceBackend()) {
      ref.loraDelta(x, new LoraBatch(a, bT, scale, rowSlot), want);
    }
    DeviceTensor[] da = new DeviceTensor[slots];
    DeviceTensor[] dbT = new DeviceTensor[slots];
    // As the executor does: an adapter goes beside the base weight it adapts.
    DeviceTensor home = backend.upload(HostTensor.allocateF32(arena, 1, in));
    for (int s = 0; s < slots; s++) {
      da[s] = a[s] == null ? null : backend.uploadBeside(stored[2 * s], home);
      dbT[s] = bT[s] == null ? null : backend.uploadBeside(stored[2 * s + 1], home);
    }
    DeviceTensor dx = backend.allocate(rows, in);
    backend.write(dx, x.toFloats(0, rows * in));
    DeviceTensor dOut = backend.allocate(rows, out);
    backend.write(dOut, base.toFloats(0, rows * out));
    backend.loraDelta(dx, new LoraBatch(da, dbT, scale, rowSlot), dOut);
    assertClose(backend.read(dOut, 0, rows * out), want.toFloats(0, rows * out), rowSlot, out);
  }

  private static void assertClose(float[] got, float[] want, int[] rowSlot, int out) {
    double max = 0;
    for (float w : want) {
      max = Math.max(max, Math.abs(w));
    }
    double tol = 1e-4 * Math.max(1, max);
    for (int i = 0; i < want.length; i++) {
      int row = i / out;
      assertThat((double) got[i])
          .as("element %d (row %d, slot %d)", i, row, rowSlot[row])
          .isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol));
    }
  }

  /** {@code t} (F32) rounded to {@code dtype}; F32 returns it unchanged. */
  private static HostTensor narrow(Arena arena, HostTensor t, DType dtype) {
    if (dtype == DType.F32) {
      return t;
    }
    MemorySegment seg = arena.allocate(dtype.byteSize(t.numel()), 64);
    for (long i = 0; i < t.numel(); i++) {
      float v = t.getFloat(i);
      short bits =
          switch (dtype) {
            case BF16 -> DType.floatToBf16(v);
            case F16 -> Float.floatToFloat16(v);
            default ->
                throw new IllegalArgumentException("LoRA weights are not stored as " + dtype);
          };
      seg.setAtIndex(LE16, i, bits);
    }
    return new HostTensor(dtype, t.shape(), seg);
  }

  /** An F32 copy of {@code t}'s values. */
  private static HostTensor widen(Arena arena, HostTensor t) {
    return HostTensor.ofFloats(arena, t.toFloats(0, Math.toIntExact(t.numel())), t.shape());
  }

  private static HostTensor random(Arena arena, Random rnd, int... shape) {
    HostTensor t = HostTensor.allocateF32(arena, shape);
    for (long i = 0; i < t.numel(); i++) {
      t.setFloat(i, (float) rnd.nextGaussian());
    }
    return t;
  }
}
