package dev.cairn.worker.backend.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * A block of device memory owned by one {@link CudaContext}, with host copies in and out and
 * device-to-device copies, including to another GPU. Freed explicitly ({@link #close()}): device
 * memory is never left to the garbage collector.
 */
public final class DeviceBuffer implements AutoCloseable {

  private final CudaContext context;
  private final CUdeviceptr ptr;
  private final long bytes;
  private boolean freed;

  private DeviceBuffer(CudaContext context, CUdeviceptr ptr, long bytes) {
    this.context = context;
    this.ptr = ptr;
    this.bytes = bytes;
  }

  static DeviceBuffer allocate(CudaContext context, long bytes) {
    CUdeviceptr p = new CUdeviceptr();
    Cuda.check(
        JCudaDriver.cuMemAlloc(p, bytes),
        "cuMemAlloc(" + bytes + " bytes on GPU " + context.ordinal() + ")");
    context.track(bytes);
    return new DeviceBuffer(context, p, bytes);
  }

  /** Size in bytes. */
  public long bytes() {
    return bytes;
  }

  /** The context (device) that owns this memory. */
  public CudaContext context() {
    return context;
  }

  /** The device address, for kernel arguments. */
  public CUdeviceptr pointer() {
    checkLive();
    return ptr;
  }

  /** The device address {@code byteOffset} bytes in, for kernel arguments on a slice. */
  public CUdeviceptr pointer(long byteOffset) {
    checkRange(byteOffset, 0);
    return ptr.withByteOffset(byteOffset);
  }

  /** Copies {@code src} to the start of this buffer. */
  public void upload(float[] src) {
    upload(Pointer.to(src), 0, (long) src.length * Sizeof.FLOAT);
  }

  /** Copies {@code src} to the start of this buffer. */
  public void upload(int[] src) {
    upload(Pointer.to(src), 0, (long) src.length * Sizeof.INT);
  }

  /** Copies {@code src} (raw 16-bit values, e.g. BF16 bits) to the start of this buffer. */
  public void upload(short[] src) {
    upload(Pointer.to(src), 0, (long) src.length * Sizeof.SHORT);
  }

  /** Copies {@code count} bytes from host memory to {@code byteOffset} in this buffer. */
  public void upload(Pointer host, long byteOffset, long count) {
    checkRange(byteOffset, count);
    context.makeCurrent();
    Cuda.check(
        JCudaDriver.cuMemcpyHtoD(ptr.withByteOffset(byteOffset), host, count),
        "cuMemcpyHtoD(" + count + " bytes)");
  }

  /** Copies the first {@code dst.length} floats of this buffer to the host. */
  public void download(float[] dst) {
    download(Pointer.to(dst), 0, (long) dst.length * Sizeof.FLOAT);
  }

  /** Copies the first {@code dst.length} ints of this buffer to the host. */
  public void download(int[] dst) {
    download(Pointer.to(dst), 0, (long) dst.length * Sizeof.INT);
  }

  /** Copies the first {@code dst.length} 16-bit values of this buffer to the host. */
  public void download(short[] dst) {
    download(Pointer.to(dst), 0, (long) dst.length * Sizeof.SHORT);
  }

  /** Copies {@code count} bytes from {@code byteOffset} in this buffer to host memory. */
  public void download(Pointer host, long byteOffset, long count) {
    checkRange(byteOffset, count);
    context.makeCurrent();
    Cuda.check(
        JCudaDriver.cuMemcpyDtoH(host, ptr.withByteOffset(byteOffset), count),
        "cuMemcpyDtoH(" + count + " bytes)");
  }

  /**
   * Copies {@code count} bytes from {@code srcOffset} here to {@code dstOffset} in {@code dst}, on
   * the same GPU or another one (peer copy, staged by the driver when peer access is off).
   */
  public void copyTo(DeviceBuffer dst, long srcOffset, long dstOffset, long count) {
    checkRange(srcOffset, count);
    dst.checkRange(dstOffset, count);
    if (dst.context == context) {
      context.makeCurrent();
      Cuda.check(
          JCudaDriver.cuMemcpyDtoD(
              dst.ptr.withByteOffset(dstOffset), ptr.withByteOffset(srcOffset), count),
          "cuMemcpyDtoD(" + count + " bytes)");
    } else {
      Cuda.check(
          JCudaDriver.cuMemcpyPeer(
              dst.ptr.withByteOffset(dstOffset),
              dst.context.handle(),
              ptr.withByteOffset(srcOffset),
              context.handle(),
              count),
          "cuMemcpyPeer("
              + count
              + " bytes, GPU "
              + context.ordinal()
              + " -> GPU "
              + dst.context.ordinal()
              + ")");
    }
  }

  /** Sets every byte to zero. */
  public void clear() {
    checkLive();
    context.makeCurrent();
    Cuda.check(JCudaDriver.cuMemsetD8(ptr, (byte) 0, bytes), "cuMemsetD8(" + bytes + " bytes)");
  }

  /** Frees the device memory; later use fails with {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    if (freed) {
      return;
    }
    freed = true;
    context.makeCurrent();
    context.track(-bytes);
    Cuda.check(JCudaDriver.cuMemFree(ptr), "cuMemFree(" + bytes + " bytes)");
  }

  private void checkLive() {
    if (freed) {
      throw new IllegalStateException("device buffer of " + bytes + " bytes was already freed");
    }
  }

  private void checkRange(long offset, long count) {
    checkLive();
    if (offset < 0 || count < 0 || offset + count > bytes) {
      throw new IndexOutOfBoundsException(
          "range ["
              + offset
              + ", "
              + (offset + count)
              + ") outside a buffer of "
              + bytes
              + " bytes");
    }
  }
}
