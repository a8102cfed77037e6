package dev.cairn.worker.executor;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.model.ModelConfig;

/**
 * Activation buffers for one step, sized for {@code capacity} stacked tokens and reused across
 * steps; grown (doubled) when a step needs more.
 */
final class Workspace {

  final int capacity;
  final DeviceTensor x; // [cap, hidden] the residual stream
  final DeviceTensor xb; // [cap, hidden] normed input of a sub-block
  final DeviceTensor xb2; // [cap, hidden] output of a sub-block
  final DeviceTensor q; // [cap, heads * headDim]
  final DeviceTensor k; // [cap, kvHeads * headDim]
  final DeviceTensor v; // [cap, kvHeads * headDim]
  final DeviceTensor attn; // [cap, heads * headDim]
  final DeviceTensor gate; // [cap, intermediate]
  final DeviceTensor up; // [cap, intermediate]

  Workspace(Backend b, ModelConfig c, int capacity) {
    this.capacity = capacity;
    x = b.allocate(capacity, c.hiddenSize());
    xb = b.allocate(capacity, c.hiddenSize());
    xb2 = b.allocate(capacity, c.hiddenSize());
    q = b.allocate(capacity, c.qDim());
    k = b.allocate(capacity, c.kvDim());
    v = b.allocate(capacity, c.kvDim());
    attn = b.allocate(capacity, c.qDim());
    gate = b.allocate(capacity, c.intermediateSize());
    up = b.allocate(capacity, c.intermediateSize());
  }

  /** This workspace if it holds {@code rows}, else a larger one (the old one is left to the GC). */
  Workspace ensure(Backend b, ModelConfig c, int rows) {
    if (rows <= capacity) {
      return this;
    }
    return new Workspace(b, c, Math.max(rows, capacity * 2));
  }
}
