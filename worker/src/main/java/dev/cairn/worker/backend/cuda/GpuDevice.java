package dev.cairn.worker.backend.cuda;

/** One GPU as the backend uses it: its context, kernels, upload paths and per-step int buffers. */
final class GpuDevice implements AutoCloseable {

  final int index;
  final CudaContext context;
  final CudaKernels kernels;
  final CudaOps ops;
  final WeightUploader uploader;
  final IntUploads ints;

  private GpuDevice(int index, CudaContext context, CudaKernels kernels) {
    this.index = index;
    this.context = context;
    this.kernels = kernels;
    this.ops = new CudaOps(kernels);
    this.uploader = new WeightUploader(context, ops);
    this.ints = new IntUploads(context);
  }

  /** Opens GPU {@code ordinal} as the backend's device number {@code index}. */
  static GpuDevice open(int index, int ordinal) {
    CudaContext context = CudaContext.open(ordinal);
    try {
      return new GpuDevice(index, context, CudaKernels.load(context));
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      ints.close();
      kernels.close();
    } finally {
      context.close();
    }
  }
}
