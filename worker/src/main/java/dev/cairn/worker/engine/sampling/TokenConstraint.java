package dev.cairn.worker.engine.sampling;

/**
 * One request's rule on which token may come next (structured output): the sampler draws only from
 * the tokens {@link #fillMask} allows and reports each sampled token through {@link #accept}.
 * Stateful and used by one request on one thread at a time.
 */
public interface TokenConstraint {

  /**
   * Writes the allowed token ids as bits ({@code mask[id >>> 6] & 1L << id}); ids past the mask are
   * never allowed. The end-of-sequence tokens are allowed exactly where the output is complete.
   */
  void fillMask(long[] mask);

  /** Advances past a sampled token; false when the constraint refuses it (state unchanged). */
  boolean accept(int tokenId);
}
