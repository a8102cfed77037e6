package dev.cairn.worker.backend.cuda;

/** A CUDA driver call or kernel launch that failed, with the operation and the driver's error. */
public final class CudaFailure extends RuntimeException {

  /** Creates a failure with a message that names the operation and the driver's error. */
  public CudaFailure(String message) {
    super(message);
  }

  /** Creates a failure caused by another throwable (a JCuda exception or a linkage error). */
  public CudaFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
