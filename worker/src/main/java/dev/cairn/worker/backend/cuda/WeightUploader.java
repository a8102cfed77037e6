package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import java.lang.foreign.MemorySegment;
import jcuda.Pointer;

/**
 * Copies weights from host memory (usually the memory-mapped checkpoint) to the GPU in bounded
 * chunks. BF16/F16 weights and Q8_0/Q4_0 blocks keep their dtype (blocks are copied as they are);
 * F32 matrices are narrowed to BF16 on the device when the backend asks for it; vectors (norm
 * weights, biases) are always widened to F32, which the kernels read.
 */
final class WeightUploader {

  private static final long CHUNK_BYTES = 64L << 20;

  private final CudaContext context;
  private final CudaOps ops;

  WeightUploader(CudaContext context, CudaOps ops) {
    this.context = context;
    this.ops = ops;
  }

  /** The dtype {@code w} is kept in on the device. */
  static DType deviceType(HostTensor w, boolean narrowF32) {
    if (w.shape().length == 1) {
      return DType.F32;
    }
    return w.dtype() == DType.F32 && narrowF32 ? DType.BF16 : w.dtype();
  }

  /** Uploads {@code w} as {@code target}; the caller owns the returned buffer. */
  DeviceBuffer upload(HostTensor w, DType target) {
    long bytes = target.byteSize(w.numel());
    checkFits(w, bytes);
    DeviceBuffer dst = context.allocate(bytes);
    try {
      if (target == w.dtype()) {
        copyRaw(w.segment(), dst);
      } else if (target == DType.F32) {
        float[] values = w.toFloats(0, Math.toIntExact(w.numel()));
        dst.upload(values);
      } else if (w.dtype() == DType.F32) {
        narrow(w.segment(), dst, target);
      } else {
        throw new IllegalArgumentException("cannot convert " + w.dtype() + " to " + target);
      }
      return dst;
    } catch (RuntimeException e) {
      dst.close();
      throw e;
    }
  }

  private void checkFits(HostTensor w, long bytes) {
    CudaContext.MemoryInfo m = context.memoryInfo();
    if (bytes > m.free()) {
      throw new CudaFailure(
          "the model does not fit on GPU "
              + context.ordinal()
              + ": a weight of shape "
              + w.shapeString()
              + " needs "
              + mib(bytes)
              + " MiB, "
              + mib(m.free())
              + " MiB of "
              + mib(m.total())
              + " MiB are free ("
              + mib(context.liveBytes())
              + " MiB already taken by this model)");
    }
  }

  private static void copyRaw(MemorySegment src, DeviceBuffer dst) {
    for (long off = 0; off < src.byteSize(); off += CHUNK_BYTES) {
      long n = Math.min(CHUNK_BYTES, src.byteSize() - off);
      dst.upload(hostPointer(src.asSlice(off, n)), off, n);
    }
  }

  /** F32 host data to BF16/F16 on the device, through an F32 staging buffer of one chunk. */
  private void narrow(MemorySegment src, DeviceBuffer dst, DType target) {
    DeviceType out = target == DType.BF16 ? DeviceType.BF16 : DeviceType.F16;
    try (DeviceBuffer staging = context.allocate(Math.min(CHUNK_BYTES, src.byteSize()))) {
      for (long off = 0; off < src.byteSize(); off += CHUNK_BYTES) {
        long n = Math.min(CHUNK_BYTES, src.byteSize() - off);
        staging.upload(hostPointer(src.asSlice(off, n)), 0, n);
        long elements = n / 4;
        ops.convert(dst.pointer(off / 2), out, staging.pointer(), DeviceType.F32, elements);
      }
      context.synchronize(); // the staging buffer is freed next
    }
  }

  private static Pointer hostPointer(MemorySegment s) {
    return s.isNative()
        ? Pointer.to(s.asByteBuffer())
        : Pointer.to(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }
}
