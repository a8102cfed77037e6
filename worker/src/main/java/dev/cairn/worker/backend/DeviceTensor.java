package dev.cairn.worker.backend;

import java.util.Arrays;

/**
 * A tensor that lives where its backend computes (host memory for the CPU backends, GPU memory for
 * CUDA). Row-major; the last dimension is contiguous.
 */
public interface DeviceTensor {

  /** Element type in memory. */
  DType dtype();

  /** Dimensions, outermost first. */
  int[] shape();

  /** Number of elements. */
  default long numel() {
    long n = 1;
    for (int d : shape()) {
      n *= d;
    }
    return n;
  }

  /** Length of dimension {@code i}. */
  default int dim(int i) {
    return shape()[i];
  }

  /** Shape as text, e.g. "[896, 4864]". */
  default String shapeString() {
    return Arrays.toString(shape());
  }
}
