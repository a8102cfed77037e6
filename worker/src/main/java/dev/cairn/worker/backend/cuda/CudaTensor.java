package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;

/**
 * A tensor in GPU memory, row-major. A weight lives on one GPU. An activation (or KV cache) may be
 * needed on several GPUs when layers are split across them: it keeps one copy per GPU, allocated on
 * first use, and remembers which copies hold the current contents, so a value crosses to another
 * GPU (one peer copy) only when an operation there reads it. With one GPU this is one buffer.
 */
public final class CudaTensor implements DeviceTensor {

  private final DType dtype;
  private final int[] shape;
  private final long bytes;
  private final DeviceBuffer[] copies; // by backend device index
  private final boolean weight;
  private long valid; // bit i: copies[i] holds the current contents; 0: never written (zeros)

  private CudaTensor(DType dtype, int[] shape, int devices, boolean weight) {
    this.dtype = dtype;
    this.shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    this.bytes = dtype.byteSize(n);
    this.copies = new DeviceBuffer[devices];
    this.weight = weight;
  }

  /** A weight already uploaded to device {@code index}. */
  static CudaTensor weight(DType dtype, int[] shape, int devices, int index, DeviceBuffer buffer) {
    CudaTensor t = new CudaTensor(dtype, shape, devices, true);
    t.copies[index] = buffer;
    t.valid = 1L << index;
    return t;
  }

  /** The device a weight was uploaded to. */
  int homeDevice() {
    if (!weight) {
      throw new IllegalStateException("only weights have a home device: " + this);
    }
    return Long.numberOfTrailingZeros(valid);
  }

  /**
   * An activation (F32) or KV cache (F32 or BF16), zero until written, materialised on the GPUs
   * that use it.
   */
  static CudaTensor activation(DType dtype, int[] shape, int devices) {
    return new CudaTensor(dtype, shape, devices, false);
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int dim(int i) {
    return shape[i];
  }

  /** Elements in one row: the product of every dimension but the first (1 for a vector). */
  int rowLength() {
    int n = 1;
    for (int i = 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  int rows() {
    return shape[0];
  }

  /** The device holding the current contents, preferring {@code preferred}; -1 if never written. */
  int home(int preferred) {
    if ((valid & (1L << preferred)) != 0) {
      return preferred;
    }
    return valid == 0 ? -1 : Long.numberOfTrailingZeros(valid);
  }

  /** Read access on {@code dev}: copies the contents there first when another GPU holds them. */
  CUdeviceptr in(GpuDevice dev) {
    int d = dev.index;
    if ((valid & (1L << d)) != 0) {
      return copies[d].pointer();
    }
    if (weight) {
      throw new IllegalStateException(
          "weight " + this + " is needed on GPU " + dev.context.ordinal());
    }
    DeviceBuffer target = materialise(dev);
    if (valid != 0) {
      copies[Long.numberOfTrailingZeros(valid)].copyTo(target, 0, 0, bytes);
    }
    valid |= 1L << d;
    return target.pointer();
  }

  /** Write access on {@code dev} (the op may also read): other GPUs' copies become stale. */
  CUdeviceptr inOut(GpuDevice dev) {
    CUdeviceptr p = in(dev);
    valid = 1L << dev.index;
    return p;
  }

  private DeviceBuffer materialise(GpuDevice dev) {
    DeviceBuffer b = copies[dev.index];
    if (b == null) {
      b = dev.context.allocate(bytes);
      b.clear();
      copies[dev.index] = b;
    }
    return b;
  }

  /** The buffer holding the current contents (for host reads), or null if never written. */
  DeviceBuffer current() {
    return valid == 0 ? null : copies[Long.numberOfTrailingZeros(valid)];
  }

  /** Frees every copy. */
  void free() {
    for (int i = 0; i < copies.length; i++) {
      if (copies[i] != null) {
        copies[i].close();
        copies[i] = null;
      }
    }
    valid = 0;
  }

  @Override
  public String toString() {
    return "CudaTensor" + Arrays.toString(shape) + " " + dtype;
  }
}
