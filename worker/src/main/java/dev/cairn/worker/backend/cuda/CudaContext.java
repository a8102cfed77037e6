package dev.cairn.worker.backend.cuda;

import java.util.concurrent.atomic.AtomicLong;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * One GPU's primary context: allocations, synchronisation and memory info on that device.
 *
 * <p>A context is current per thread, so every method makes it current first; the engine thread and
 * a metrics scrape thread can both use it. Device memory allocated here is counted in {@link
 * #liveBytes()} until freed, which the leak tests read.
 */
public final class CudaContext implements AutoCloseable {

  /** Free and total device memory in bytes, as {@code cuMemGetInfo} reports them. */
  public record MemoryInfo(long free, long total) {

    /** Bytes in use on the device by every process. */
    public long used() {
      return total - free;
    }
  }

  private final int ordinal;
  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final AtomicLong liveBytes = new AtomicLong();
  private volatile boolean closed;

  /** The context each thread last bound through {@link #makeCurrent}. */
  private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

  private CudaContext(int ordinal) {
    this.ordinal = ordinal;
  }

  /** Opens (retains) the primary context of device {@code ordinal}; call after a usable probe. */
  public static CudaContext open(int ordinal) {
    CudaProbe.Result probe = CudaProbe.probe();
    if (!probe.usable()) {
      throw new CudaFailure("CUDA is not usable here: " + probe.reason());
    }
    CudaContext c = new CudaContext(ordinal);
    Cuda.check(JCudaDriver.cuDeviceGet(c.device, ordinal), "cuDeviceGet(" + ordinal + ")");
    Cuda.check(
        JCudaDriver.cuDevicePrimaryCtxRetain(c.context, c.device),
        "cuDevicePrimaryCtxRetain(GPU " + ordinal + ")");
    c.makeCurrent();
    return c;
  }

  /** The driver's device index. */
  public int ordinal() {
    return ordinal;
  }

  CUcontext handle() {
    return context;
  }

  /**
   * Binds this context to the calling thread. Every launch and copy calls this, so a thread that
   * already has it current skips the driver call (Cairn binds contexts only here).
   */
  public void makeCurrent() {
    if (closed) {
      throw new IllegalStateException("CUDA context of GPU " + ordinal + " is closed");
    }
    if (CURRENT.get() == this) {
      return;
    }
    Cuda.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(GPU " + ordinal + ")");
    CURRENT.set(this);
  }

  /** Allocates {@code bytes} of device memory (uninitialised). */
  public DeviceBuffer allocate(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("device allocation must be positive, got " + bytes);
    }
    makeCurrent();
    return DeviceBuffer.allocate(this, bytes);
  }

  void track(long delta) {
    liveBytes.addAndGet(delta);
  }

  /** Bytes allocated through this context and not yet freed. */
  public long liveBytes() {
    return liveBytes.get();
  }

  /**
   * Waits for every queued kernel and copy on this device; a kernel fault surfaces here as a {@link
   * CudaFailure}.
   */
  public void synchronize() {
    makeCurrent();
    Cuda.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize(GPU " + ordinal + ")");
  }

  /** Free and total memory of this device. */
  public MemoryInfo memoryInfo() {
    makeCurrent();
    long[] free = new long[1];
    long[] total = new long[1];
    Cuda.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo(GPU " + ordinal + ")");
    return new MemoryInfo(free[0], total[0]);
  }

  /** Releases the primary context; buffers and modules of this context must be freed first. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (CURRENT.get() == this) {
      CURRENT.remove();
    }
    Cuda.check(
        JCudaDriver.cuDevicePrimaryCtxRelease(device),
        "cuDevicePrimaryCtxRelease(GPU " + ordinal + ")");
  }
}
