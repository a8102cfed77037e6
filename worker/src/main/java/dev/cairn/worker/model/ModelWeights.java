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
    return map(f, f);
  }

  /**
   * The weights passed through {@code f}, but for an untied embedding table, which goes through
   * {@code table}: only its rows are ever read, while a tied table is also the output head.
   */
  public <R> ModelWeights<R> map(Function<T, R> table, Function<T, R> f) {
    boolean tied = lmHead == embed;
    R e = tied ? f.apply(embed) : table.apply(embed);
    R head = tied ? e : f.apply(lmHead);
    return new ModelWeights<>(e, layers.stream().map(l -> l.map(f)).toList(), f.apply(norm), head);
  }
}
