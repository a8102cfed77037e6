package dev.cairn.worker.structured;

import dev.cairn.worker.structured.grammar.Grammar;
import dev.cairn.worker.structured.grammar.StackSet;
import dev.cairn.worker.structured.grammar.TokenMasks;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * A compiled constraint (schema, regex, choice), shared by every request that uses it: the grammar
 * plus, per vocabulary, a cache of token masks by matcher state ({@link MaskCache}). States recur
 * within and across requests (the same position in the same schema), so most steps reuse a mask.
 */
public final class CompiledConstraint {

  private final String key;
  private final Grammar grammar;
  private final Map<TokenVocabulary, MaskCache> masks = new ConcurrentHashMap<>();
  private final LongConsumer maskNanos;

  CompiledConstraint(String key, Grammar grammar, LongConsumer maskNanos) {
    this.key = key;
    this.grammar = grammar;
    this.maskNanos = maskNanos;
  }

  /** The canonical form this constraint was compiled from (its cache key). */
  public String key() {
    return key;
  }

  public Grammar grammar() {
    return grammar;
  }

  /** A fresh per-request matcher; {@code eosIds} are the tokens allowed exactly where complete. */
  public ConstraintMatcher newMatcher(TokenVocabulary vocab, int... eosIds) {
    return new ConstraintMatcher(this, vocab, eosIds);
  }

  /**
   * The allowed-token mask for {@code state} (without EOS): shared, do not modify. A state with
   * several live stacks is the union of its stacks' masks, each cached on its own: a walk over the
   * trie with many stacks at once costs far more than the walks of stacks seen before. A mask the
   * cache did not hold is timed, whole, for the mask-time metric.
   */
  long[] mask(TokenVocabulary vocab, StackSet state) {
    MaskCache cache = masks.computeIfAbsent(vocab, v -> new MaskCache());
    // No token reaches past its own length into a counted string: further positions share masks.
    StackSet key = state.clamped(vocab.maxTokenBytes() + 1);
    long[] mask = cache.get(key);
    if (mask != null) {
      return mask;
    }
    long start = System.nanoTime();
    mask = compute(vocab, cache, key);
    maskNanos.accept(System.nanoTime() - start);
    return mask;
  }

  private long[] compute(TokenVocabulary vocab, MaskCache cache, StackSet state) {
    long[] mask = new long[(vocab.size() + 63) >>> 6];
    if (state.size() > 1) {
      for (StackSet part : state.parts()) {
        long[] m = cache.get(part);
        if (m == null) {
          m = compute(vocab, cache, part);
        }
        for (int i = 0; i < mask.length; i++) {
          mask[i] |= m[i];
        }
      }
    } else {
      TokenMasks.fill(grammar, vocab, state, mask);
    }
    cache.put(state, mask);
    return mask;
  }
}
