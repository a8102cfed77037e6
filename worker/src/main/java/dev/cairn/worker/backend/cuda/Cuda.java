package dev.cairn.worker.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Checks driver-API result codes. JCuda's global exception switch stays off (it is process-wide and
 * hides which operation failed): every call site passes its result here with a description.
 */
final class Cuda {

  private Cuda() {}

  /** Throws {@link CudaFailure} naming {@code operation} unless {@code result} is CUDA_SUCCESS. */
  static void check(int result, String operation) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaFailure(operation + " failed: " + errorName(result));
    }
  }

  /** The driver's name for an error code, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY (2)}. */
  static String errorName(int result) {
    String name;
    try {
      String[] out = new String[1];
      name = JCudaDriver.cuGetErrorName(result, out) == CUresult.CUDA_SUCCESS ? out[0] : null;
    } catch (RuntimeException | LinkageError e) {
      name = null;
    }
    if (name == null) {
      name = CUresult.stringFor(result);
    }
    return name + " (" + result + ")";
  }
}
