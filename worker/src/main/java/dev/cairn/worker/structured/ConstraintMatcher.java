package dev.cairn.worker.structured;

import dev.cairn.worker.engine.sampling.TokenConstraint;
import dev.cairn.worker.structured.grammar.StackSet;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.util.Arrays;

/**
 * One request's progress through a {@link CompiledConstraint}, driven by the sampler each step:
 * {@link #fillMask} before sampling, {@link #accept} with the sampled token. Not thread-safe (one
 * request).
 */
public final class ConstraintMatcher implements TokenConstraint {

  private final CompiledConstraint constraint;
  private final TokenVocabulary vocab;
  private final int[] eosIds;
  private StackSet state;
  private boolean terminated;

  ConstraintMatcher(CompiledConstraint constraint, TokenVocabulary vocab, int[] eosIds) {
    this.constraint = constraint;
    this.vocab = vocab;
    this.eosIds = eosIds.clone();
    this.state = constraint.grammar().initial();
  }

  /**
   * Writes the allowed tokens as bits ({@code mask[id >>> 6] & 1L << id}); bits past the vocabulary
   * are cleared. EOS is allowed exactly where the output is complete; after EOS nothing is.
   */
  @Override
  public void fillMask(long[] mask) {
    Arrays.fill(mask, 0L);
    if (terminated) {
      return;
    }
    long[] allowed = constraint.mask(vocab, state);
    System.arraycopy(allowed, 0, mask, 0, Math.min(allowed.length, mask.length));
    if (state.isComplete()) {
      for (int eos : eosIds) {
        if (eos >>> 6 < mask.length) {
          mask[eos >>> 6] |= 1L << eos;
        }
      }
    }
  }

  /** Whether {@code tokenId} is allowed now (the same answer as its mask bit). */
  public boolean allows(int tokenId) {
    if (terminated) {
      return false;
    }
    if (isEos(tokenId)) {
      return state.isComplete();
    }
    byte[] bytes = vocab.bytes(tokenId);
    return bytes != null && constraint.grammar().advance(state, bytes) != null;
  }

  /** Advances by a sampled token; false (state unchanged) if the constraint refuses it. */
  @Override
  public boolean accept(int tokenId) {
    if (terminated) {
      return false;
    }
    if (isEos(tokenId)) {
      terminated = state.isComplete();
      return terminated;
    }
    byte[] bytes = vocab.bytes(tokenId);
    StackSet next = bytes == null ? null : constraint.grammar().advance(state, bytes);
    if (next == null) {
      return false;
    }
    state = next;
    return true;
  }

  /** True when the output so far is complete, so EOS (or stopping) is allowed. */
  public boolean canEnd() {
    return state.isComplete();
  }

  /** True once EOS was accepted, or when the output is complete and nothing more can follow. */
  public boolean isTerminated() {
    return terminated || state.isFinal();
  }

  /** The current state, to {@link #rollback} to (e.g. for speculative tokens). */
  public StackSet snapshot() {
    return state;
  }

  public void rollback(StackSet snapshot) {
    this.state = snapshot;
    this.terminated = false;
  }

  private boolean isEos(int tokenId) {
    for (int eos : eosIds) {
      if (eos == tokenId) {
        return true;
      }
    }
    return false;
  }
}
