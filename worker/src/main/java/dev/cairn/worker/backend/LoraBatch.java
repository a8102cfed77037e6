package dev.cairn.worker.backend;

import java.util.Arrays;

/**
 * The LoRA adapters of one projection in one step, by slot, and which rows use which slot. Slot s
 * holds adapter s's pair for this projection: {@code a[s]} (lora_A, {@code [r_s, in]}) and {@code
 * bT[s]} (lora_B transposed, {@code [r_s, out]}), both uploaded once per backend, and its scale;
 * both null when the adapter leaves this projection alone. {@code rowSlot[t]} is row t's slot, -1
 * for the base model.
 *
 * @param a per slot, lora_A {@code [r, in]} or null
 * @param bT per slot, lora_B transposed {@code [r, out]} or null
 * @param scale per slot, alpha/r (or alpha/√r with rsLoRA)
 * @param rowSlot per row of the step, a slot or -1
 */
public record LoraBatch(DeviceTensor[] a, DeviceTensor[] bT, float[] scale, int[] rowSlot) {

  /** Checks that the arrays agree and every pair is well-shaped. */
  public LoraBatch {
    if (bT.length != a.length || scale.length != a.length) {
      throw new IllegalArgumentException(
          "a, bT and scale need one entry per slot: "
              + a.length
              + ", "
              + bT.length
              + ", "
              + scale.length);
    }
    for (int s = 0; s < a.length; s++) {
      if ((a[s] == null) != (bT[s] == null)) {
        throw new IllegalArgumentException("slot " + s + " has only one of lora_A and lora_B");
      }
      if (a[s] != null
          && (a[s].shape().length != 2
              || bT[s].shape().length != 2
              || a[s].dim(0) != bT[s].dim(0))) {
        throw new IllegalArgumentException(
            "slot "
                + s
                + ": lora_A "
                + a[s].shapeString()
                + " and lora_B transposed "
                + bT[s].shapeString()
                + " need the same rank r as first dimension");
      }
    }
    for (int t = 0; t < rowSlot.length; t++) {
      if (rowSlot[t] < -1 || rowSlot[t] >= a.length) {
        throw new IllegalArgumentException(
            "row " + t + " uses slot " + rowSlot[t] + " outside [-1, " + a.length + ")");
      }
    }
  }

  /** Rows of the step. */
  public int rows() {
    return rowSlot.length;
  }

  /** Slots of the batch (at most spec.lora.maxLorasPerBatch in a real step). */
  public int slots() {
    return a.length;
  }

  /**
   * The rows of each slot whose adapter adapts this projection, in row order: {@code [slot][i]}.
   * Kernels walk one slot at a time, so each adapter's A and B stream once per step.
   */
  public int[][] rowsBySlot() {
    int[] counts = new int[a.length];
    for (int s : rowSlot) {
      if (s >= 0 && a[s] != null) {
        counts[s]++;
      }
    }
    int[][] out = new int[a.length][];
    for (int s = 0; s < a.length; s++) {
      out[s] = new int[counts[s]];
    }
    Arrays.fill(counts, 0);
    for (int t = 0; t < rowSlot.length; t++) {
      int s = rowSlot[t];
      if (s >= 0 && a[s] != null) {
        out[s][counts[s]++] = t;
      }
    }
    return out;
  }
}
