package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;

/** Argument checks and conversions shared by the GPU backend's operations. */
final class CudaArgs {

  private CudaArgs() {}

  /** The kernel suffix type of a tensor dtype. */
  static DeviceType deviceType(DType t) {
    return switch (t) {
      case F32 -> DeviceType.F32;
      case BF16 -> DeviceType.BF16;
      case F16 -> DeviceType.F16;
      case Q8_0 -> DeviceType.Q8_0;
      case Q4_0 -> DeviceType.Q4_0;
    };
  }

  /** The GPU tensor behind {@code t}, with a clear error for a host tensor. */
  static CudaTensor cuda(DeviceTensor t) {
    if (t instanceof CudaTensor c) {
      return c;
    }
    throw new IllegalArgumentException("tensor " + t + " does not live on the GPU");
  }

  /** {@code t} as an F32 GPU tensor; {@code what} names it in errors. */
  static CudaTensor f32(DeviceTensor t, String what) {
    CudaTensor c = cuda(t);
    if (c.dtype() != DType.F32) {
      throw new IllegalArgumentException(what + " must be F32, got " + c);
    }
    return c;
  }

  /** {@code t} as a KV cache on the GPU, F32 or BF16 ({@code paged_attention_<kv>}'s types). */
  static CudaTensor kvCache(DeviceTensor t, String what) {
    CudaTensor c = cuda(t);
    if (c.dtype() != DType.F32 && c.dtype() != DType.BF16) {
      throw new IllegalArgumentException(what + " must be F32 or BF16, got " + c);
    }
    return c;
  }

  /** The kernels' type of a layer's key and value caches, which must be one dtype. */
  static DeviceType kvType(CudaTensor keys, CudaTensor values) {
    if (keys.dtype() != values.dtype()) {
      throw new IllegalArgumentException(
          "key cache " + keys + " and value cache " + values + " differ");
    }
    return deviceType(keys.dtype());
  }

  /** Fails unless {@code t} has at least {@code rows} rows. */
  static void requireRows(CudaTensor t, int rows, String what) {
    if (rows > t.rows()) {
      throw new IllegalArgumentException(what + " " + t + " has fewer than " + rows + " rows");
    }
  }
}
