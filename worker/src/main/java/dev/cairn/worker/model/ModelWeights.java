package dev.cairn.worker.model;

import java.util.List;
import java.util.function.Function;

/**
 * Every weight of a decoder-only transformer; {@code lmHead} is the embedding table itself when the
 * embeddings are tied.
 *
 * @param embed {@code [vocab, hidden]}
 * @param norm final norm {@code [hidden]}
 * @param lmHead {@code [vocab, hidden]}
 */
public record ModelWeights<T>(T embed, List<LayerWeights<T>> layers, T norm, T lmHead) {

  /** The same weights passed through {@code f}; a tied head maps to the same result as embed. */
  public <R> ModelWeights<R> map(Function<T, R> f) {
    R e = f.apply(embed);
    R head = lmHead == embed ? e : f.apply(lmHead);
    return new ModelWeights<>(e, layers.stream().map(l -> l.map(f)).toList(), f.apply(norm), head);
  }
}
