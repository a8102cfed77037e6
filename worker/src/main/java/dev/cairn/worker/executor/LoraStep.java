package dev.cairn.worker.executor;

import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.lora.LoraTarget;
import dev.cairn.worker.lora.LoraWeights;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step's LoRA work: the step's distinct adapters as slots, each row's slot (-1 on the base
 * model), and per layer and projection the {@link LoraBatch} to add after the base matmul, or null
 * where no adapter of the step adapts that projection.
 */
final class LoraStep {

  private final LoraBatch[][] batches; // [layer][LoraTarget.ordinal()]

  private LoraStep(LoraBatch[][] batches) {
    this.batches = batches;
  }

  /** The step's LoRA batches, or null when every chunk runs on the base model. */
  static LoraStep of(List<SequenceChunk> chunks, AdapterCopies copies, int numLayers) {
    Map<LoraWeights, Integer> slotOf = new IdentityHashMap<>();
    List<LoraWeights> slots = new ArrayList<>();
    int rows = 0;
    for (SequenceChunk c : chunks) {
      rows += c.tokens().length;
      if (c.adapter() != null && slotOf.putIfAbsent(c.adapter(), slots.size()) == null) {
        slots.add(c.adapter());
      }
    }
    if (slots.isEmpty()) {
      return null;
    }
    int[] rowSlot = new int[rows];
    int row = 0;
    for (SequenceChunk c : chunks) {
      int slot = c.adapter() == null ? -1 : slotOf.get(c.adapter());
      for (int i = 0; i < c.tokens().length; i++) {
        rowSlot[row++] = slot;
      }
    }
    int n = slots.size();
    float[] scale = new float[n];
    DeviceTensor[][][][] device = new DeviceTensor[n][][][];
    for (int s = 0; s < n; s++) {
      scale[s] = slots.get(s).scale();
      device[s] = copies.of(slots.get(s));
    }
    LoraTarget[] targets = LoraTarget.values();
    LoraBatch[][] batches = new LoraBatch[numLayers][targets.length];
    for (int l = 0; l < numLayers; l++) {
      for (int t = 0; t < targets.length; t++) {
        batches[l][t] = batch(device, l, t, scale, rowSlot);
      }
    }
    return new LoraStep(batches);
  }

  private static LoraBatch batch(
      DeviceTensor[][][][] device, int layer, int target, float[] scale, int[] rowSlot) {
    int n = device.length;
    DeviceTensor[] a = new DeviceTensor[n];
    DeviceTensor[] bT = new DeviceTensor[n];
    boolean any = false;
    for (int s = 0; s < n; s++) {
      DeviceTensor[] pair = device[s][layer][target];
      if (pair != null) {
        a[s] = pair[0];
        bT[s] = pair[1];
        any = true;
      }
    }
    return any ? new LoraBatch(a, bT, scale, rowSlot) : null;
  }

  /** The batch for {@code target} in {@code layer}, or null when no slot adapts it. */
  LoraBatch at(int layer, LoraTarget target) {
    return batches[layer][target.ordinal()];
  }
}
