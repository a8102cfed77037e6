package dev.cairn.worker.backend.cuda;

import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.driver.JITOptions;

/**
 * One PTX module loaded into a context. The driver JIT-compiles the build-time PTX for the GPU at
 * hand; when it refuses (PTX ISA newer than the driver, a bad target), the error names the module,
 * the path that ran (build-time PTX) and the JIT log.
 */
final class CudaModule implements AutoCloseable {

  private static final int LOG_BYTES = 16 * 1024;

  private final String name;
  private final CUmodule module;
  private final Map<String, CUfunction> functions = new HashMap<>();
  private boolean unloaded;

  private CudaModule(String name, CUmodule module) {
    this.name = name;
    this.module = module;
  }

  /** Loads build-time PTX module {@code name} into the current context of {@code context}. */
  static CudaModule load(CudaContext context, String name) {
    byte[] ptx = PtxResources.load(name);
    context.makeCurrent();
    CUmodule module = new CUmodule();
    int result = JCudaDriver.cuModuleLoadData(module, ptx);
    if (result != CUresult.CUDA_SUCCESS) {
      // Load again with an error-log buffer, only to tell the operator what the JIT said.
      throw new CudaFailure(
          "the driver rejected build-time PTX module cuda/"
              + name
              + ".ptx on GPU "
              + context.ordinal()
              + ": "
              + Cuda.errorName(result)
              + jitLog(ptx));
    }
    return new CudaModule(name, module);
  }

  private static String jitLog(byte[] ptx) {
    try {
      JITOptions options = new JITOptions();
      options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
      options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[LOG_BYTES]);
      CUmodule retry = new CUmodule();
      if (JCudaDriver.cuModuleLoadDataJIT(retry, Pointer.to(ptx), options)
          == CUresult.CUDA_SUCCESS) {
        JCudaDriver.cuModuleUnload(retry);
        return "";
      }
      String log = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
      return log == null || log.isBlank() ? "" : "; JIT log: " + log.strip();
    } catch (RuntimeException | LinkageError e) {
      return "";
    }
  }

  /** The kernel {@code entry}, looked up once. */
  CUfunction function(String entry) {
    if (unloaded) {
      throw new IllegalStateException("module " + name + " is unloaded");
    }
    return functions.computeIfAbsent(
        entry,
        e -> {
          CUfunction f = new CUfunction();
          Cuda.check(
              JCudaDriver.cuModuleGetFunction(f, module, e),
              "cuModuleGetFunction(" + name + "." + e + ")");
          return f;
        });
  }

  @Override
  public void close() {
    if (!unloaded) {
      unloaded = true;
      Cuda.check(JCudaDriver.cuModuleUnload(module), "cuModuleUnload(" + name + ")");
    }
  }
}
