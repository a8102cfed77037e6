package dev.cairn.worker.backend.cuda;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Every kernel of {@link PtxResources#ENTRIES}, loaded into one context and resolved up front (a
 * missing entry fails at load, not mid-request), with a generic launcher. Launches are queued on
 * the context's default stream; errors of the kernel itself surface at the next synchronising call.
 */
public final class CudaKernels implements AutoCloseable {

  private final CudaContext context;
  private final List<CudaModule> modules = new ArrayList<>();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final DirectLaunch direct;

  private CudaKernels(CudaContext context) {
    this.context = context;
    this.direct = DirectLaunch.available(Arena.ofAuto()).orElse(null);
  }

  /** Loads every PTX module into {@code context} and resolves every entry point. */
  public static CudaKernels load(CudaContext context) {
    CudaKernels k = new CudaKernels(context);
    try {
      for (Map.Entry<String, List<String>> m : PtxResources.ENTRIES.entrySet()) {
        CudaModule module = CudaModule.load(context, m.getKey());
        k.modules.add(module);
        for (String entry : m.getValue()) {
          k.functions.put(entry, module.function(entry));
        }
      }
    } catch (RuntimeException e) {
      k.close();
      throw e;
    }
    return k;
  }

  /** The context these kernels run in. */
  public CudaContext context() {
    return context;
  }

  /**
   * Launches {@code entry} on a {@code (gridX, gridY)} grid of {@code (blockX)} threads. Arguments
   * are device pointers, {@link Integer}, {@link Long} or {@link Float}, in the kernel's order.
   * Goes through {@link DirectLaunch} where it is available, else through JCuda.
   */
  public synchronized void launch(
      String entry, int gridX, int gridY, int blockX, int sharedBytes, Object... args) {
    CUfunction f = function(entry, gridX, gridY, blockX);
    context.makeCurrent();
    long t0 = KernelProfile.active() ? System.nanoTime() : 0;
    if (direct != null && DirectLaunch.packable(args)) {
      int result = direct.launch(f, gridX, gridY, blockX, sharedBytes, args);
      if (result != CUresult.CUDA_SUCCESS) {
        Cuda.check(result, describe(entry, gridX, gridY, blockX));
      }
    } else {
      launchThroughJcuda(f, entry, gridX, gridY, blockX, sharedBytes, args);
    }
    if (t0 != 0) {
      context.synchronize();
      KernelProfile.record(entry, System.nanoTime() - t0);
    }
  }

  /** Whether launches take the FFM path ({@link DirectLaunch}) rather than JCuda's. */
  public boolean direct() {
    return direct != null;
  }

  /** The same launch through JCuda alone: the fallback, and GpuBench's point of comparison. */
  public synchronized void launchThroughJcuda(
      String entry, int gridX, int gridY, int blockX, int sharedBytes, Object... args) {
    CUfunction f = function(entry, gridX, gridY, blockX);
    context.makeCurrent();
    launchThroughJcuda(f, entry, gridX, gridY, blockX, sharedBytes, args);
  }

  private void launchThroughJcuda(
      CUfunction f,
      String entry,
      int gridX,
      int gridY,
      int blockX,
      int sharedBytes,
      Object[] args) {
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      params[i] = param(entry, i, args[i]);
    }
    int result =
        JCudaDriver.cuLaunchKernel(
            f, gridX, gridY, 1, blockX, 1, 1, sharedBytes, null, Pointer.to(params), null);
    if (result != CUresult.CUDA_SUCCESS) {
      Cuda.check(result, describe(entry, gridX, gridY, blockX));
    }
  }

  private CUfunction function(String entry, int gridX, int gridY, int blockX) {
    CUfunction f = functions.get(entry);
    if (f == null) {
      throw new IllegalArgumentException("unknown kernel " + entry);
    }
    if (gridX <= 0 || gridY <= 0 || blockX <= 0) {
      throw new IllegalArgumentException(
          "empty launch of " + entry + ": grid " + gridX + "x" + gridY + ", block " + blockX);
    }
    return f;
  }

  private static String describe(String entry, int gridX, int gridY, int blockX) {
    return "cuLaunchKernel(" + entry + ", grid " + gridX + "x" + gridY + ", block " + blockX + ")";
  }

  private static Pointer param(String entry, int index, Object arg) {
    return switch (arg) {
      case NativePointerObject p -> Pointer.to(p);
      case Integer v -> Pointer.to(new int[] {v});
      case Long v -> Pointer.to(new long[] {v});
      case Float v -> Pointer.to(new float[] {v});
      case null, default ->
          throw new IllegalArgumentException(
              "argument " + index + " of " + entry + " has an unsupported type: " + arg);
    };
  }

  /** Unloads every module. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (CudaModule m : modules) {
      try {
        m.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    modules.clear();
    functions.clear();
    if (first != null) {
      throw first;
    }
  }
}
