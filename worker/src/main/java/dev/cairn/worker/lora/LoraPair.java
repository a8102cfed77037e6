package dev.cairn.worker.lora;

import dev.cairn.worker.backend.HostTensor;

/**
 * One adapted projection of one layer, in the checkpoint's dtype (F32, BF16 or F16) and in the
 * layout the LoRA kernels stream: {@code a} as stored ({@code [r, in]}, rows dotted with the
 * activation) and B transposed ({@code [r, out]}, rows added to the output), so both passes read
 * contiguous rows.
 *
 * @param a lora_A {@code [r, in]}
 * @param bT lora_B transposed, {@code [r, out]}
 */
public record LoraPair(HostTensor a, HostTensor bT) {

  /** The rank r. */
  public int rank() {
    return a.dim(0);
  }
}
