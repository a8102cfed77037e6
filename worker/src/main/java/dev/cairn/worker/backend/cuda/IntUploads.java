package dev.cairn.worker.backend.cuda;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * Device copies of the small per-step int arrays (token ids, positions, slots, block tables), one
 * growable buffer per purpose. An array equal to the last one uploaded for its purpose is not
 * copied again: a step's positions serve every layer's RoPE with one transfer.
 *
 * <p>Reusing a buffer is safe: copies and kernels share the context's default stream, so an upload
 * waits for the kernels queued before it.
 */
final class IntUploads implements AutoCloseable {

  /** What an uploaded array is for; each purpose keeps its own buffer. */
  enum Purpose {
    IDS,
    POSITIONS,
    SLOTS,
    ATTENTION,
    ROWS,
    LORA_ROWS
  }

  private final CudaContext context;
  private final Map<Purpose, DeviceBuffer> buffers = new EnumMap<>(Purpose.class);
  private final Map<Purpose, int[]> last = new EnumMap<>(Purpose.class);

  IntUploads(CudaContext context) {
    this.context = context;
  }

  /** The device copy of {@code values}. */
  CUdeviceptr upload(Purpose purpose, int[] values) {
    int[] previous = last.get(purpose);
    DeviceBuffer b = buffers.get(purpose);
    if (previous != null && Arrays.equals(previous, values)) {
      return b.pointer();
    }
    long bytes = Math.max(4L, values.length * 4L);
    if (b == null || b.bytes() < bytes) {
      if (b != null) {
        b.close();
      }
      b = context.allocate(Math.max(bytes, b == null ? 1024 : b.bytes() * 2));
      buffers.put(purpose, b);
    }
    if (values.length > 0) {
      b.upload(values);
    }
    last.put(purpose, values.clone());
    return b.pointer();
  }

  @Override
  public void close() {
    buffers.values().forEach(DeviceBuffer::close);
    buffers.clear();
    last.clear();
  }
}
