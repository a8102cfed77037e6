package dev.cairn.worker.backend.cuda;

import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.backend.cuda.IntUploads.Purpose;
import jcuda.driver.CUdeviceptr;

/**
 * The LoRA delta on the GPU: one shrink and one expand launch per adapter with rows in the step.
 * The rows of all adapters go up in one transfer (grouped by slot); the shrunk rows live in a
 * scratch buffer per GPU that grows to the largest step seen. A and Bᵀ keep their uploaded dtype
 * (F32, BF16 or F16); each launch takes the kernel of its operand's dtype.
 */
final class CudaLora {

  private final DeviceBuffer[] scratch;

  CudaLora(int devices) {
    this.scratch = new DeviceBuffer[devices];
  }

  /** out[t] += scale_s · bT_s · (a_s · x[t]) on {@code d}, where the adapters' weights live. */
  void run(GpuDevice d, CudaTensor x, LoraBatch batch, CudaTensor out) {
    int[][] rowsBySlot = batch.rowsBySlot();
    int total = 0;
    long scratchFloats = 0;
    for (int s = 0; s < batch.slots(); s++) {
      if (rowsBySlot[s].length > 0) {
        CudaTensor a = CudaArgs.cuda(batch.a()[s]);
        CudaTensor bT = CudaArgs.cuda(batch.bT()[s]);
        if (a.rowLength() != x.rowLength() || bT.rowLength() != out.rowLength()) {
          throw new IllegalArgumentException(
              "slot "
                  + s
                  + ": lora_A "
                  + a
                  + " and lora_B transposed "
                  + bT
                  + " do not fit x "
                  + x
                  + " and out "
                  + out);
        }
        scratchFloats = Math.max(scratchFloats, (long) rowsBySlot[s].length * a.rows());
        total += rowsBySlot[s].length;
      }
    }
    if (total == 0) {
      return;
    }
    int[] grouped = new int[total];
    int[] start = new int[batch.slots()];
    int n = 0;
    for (int s = 0; s < batch.slots(); s++) {
      start[s] = n;
      System.arraycopy(rowsBySlot[s], 0, grouped, n, rowsBySlot[s].length);
      n += rowsBySlot[s].length;
    }
    CUdeviceptr rows = d.ints.upload(Purpose.LORA_ROWS, grouped);
    CUdeviceptr tmp = scratch(d, scratchFloats * 4);
    CUdeviceptr xp = x.in(d);
    CUdeviceptr op = out.inOut(d);
    for (int s = 0; s < batch.slots(); s++) {
      int count = rowsBySlot[s].length;
      if (count == 0) {
        continue;
      }
      CudaTensor a = CudaArgs.cuda(batch.a()[s]);
      CudaTensor bT = CudaArgs.cuda(batch.bT()[s]);
      CUdeviceptr slotRows = rows.withByteOffset(start[s] * 4L);
      int r = a.rows();
      d.ops.loraShrink(tmp, xp, a.in(d), type(a), slotRows, count, x.rowLength(), r);
      d.ops.loraExpand(
          op, tmp, bT.in(d), type(bT), slotRows, count, r, out.rowLength(), batch.scale()[s]);
    }
  }

  private CUdeviceptr scratch(GpuDevice d, long bytes) {
    DeviceBuffer b = scratch[d.index];
    if (b == null || b.bytes() < bytes) {
      if (b != null) {
        b.close();
      }
      b = d.context.allocate(Math.max(bytes, b == null ? 4096 : b.bytes() * 2));
      scratch[d.index] = b;
    }
    return b.pointer();
  }

  /** Frees the scratch buffers. */
  void close() {
    for (int i = 0; i < scratch.length; i++) {
      if (scratch[i] != null) {
        scratch[i].close();
        scratch[i] = null;
      }
    }
  }

  private static DeviceType type(CudaTensor t) {
    return CudaArgs.deviceType(t.dtype());
  }
}
