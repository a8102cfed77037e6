package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import java.util.Arrays;
import jcuda.driver.CUdeviceptr;

/** A tensor in GPU memory: row-major, last dimension contiguous, owned by a {@link CudaBackend}. */
public final class CudaTensor implements DeviceTensor {

  private final DType dtype;
  private final int[] shape;
  private final DeviceBuffer buffer;

  CudaTensor(DType dtype, int[] shape, DeviceBuffer buffer) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.buffer = buffer;
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

  /** Rows: the first dimension. */
  int rows() {
    return shape[0];
  }

  DeviceBuffer buffer() {
    return buffer;
  }

  CUdeviceptr ptr() {
    return buffer.pointer();
  }

  /** Device address of element {@code index}. */
  CUdeviceptr ptr(long index) {
    return buffer.pointer(index * dtype.bytes());
  }

  @Override
  public String toString() {
    return "CudaTensor"
        + Arrays.toString(shape)
        + " "
        + dtype
        + " on GPU "
        + buffer.context().ordinal();
  }
}
