package dev.cairn.worker.model;

import java.util.function.Function;

/**
 * One decoder layer's weights (PyTorch layout {@code [out, in]}); biases are null when the
 * architecture has none. {@code T} is the tensor type: host tensors when loaded, device tensors
 * once uploaded.
 */
public record LayerWeights<T>(
    T inputNorm, // [hidden]
    T q, // [heads * headDim, hidden]
    T qBias, // [heads * headDim] or null
    T k, // [kvHeads * headDim, hidden]
    T kBias, // [kvHeads * headDim] or null
    T v, // [kvHeads * headDim, hidden]
    T vBias, // [kvHeads * headDim] or null
    T o, // [hidden, heads * headDim]
    T postNorm, // [hidden]
    T gate, // [intermediate, hidden]
    T up, // [intermediate, hidden]
    T down) { // [hidden, intermediate]

  /** The same layer with every tensor passed through {@code f} (nulls stay null). */
  public <R> LayerWeights<R> map(Function<T, R> f) {
    Function<T, R> g = t -> t == null ? null : f.apply(t);
    return new LayerWeights<>(
        g.apply(inputNorm),
        g.apply(q),
        g.apply(qBias),
        g.apply(k),
        g.apply(kBias),
        g.apply(v),
        g.apply(vBias),
        g.apply(o),
        g.apply(postNorm),
        g.apply(gate),
        g.apply(up),
        g.apply(down));
  }
}
