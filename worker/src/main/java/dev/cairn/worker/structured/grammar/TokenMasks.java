package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.mask.TokenVocabulary;

/**
 * Computes which tokens a {@link StackSet} allows by walking the vocabulary's byte trie with the
 * matcher: a subtree is skipped as soon as its prefix is refused, so shared prefixes cost one step.
 * While the walk sits in a "simple" automaton state (inside a string, a number, a literal) it
 * advances by one table lookup without building stacks, which keeps free-text steps (where most of
 * the vocabulary is allowed) cheap.
 */
public final class TokenMasks {

  private TokenMasks() {}

  /** Sets the bit of every token whose bytes the grammar accepts from {@code state}. */
  public static void fill(Grammar grammar, TokenVocabulary vocab, StackSet state, long[] mask) {
    new Walk(grammar, vocab, mask).fromSet(0, state);
  }

  private record Walk(Grammar grammar, TokenVocabulary vocab, long[] mask) {

    void fromSet(int node, StackSet state) {
      Frame single = state.leaves.length == 1 && !state.complete ? state.leaves[0] : null;
      if (single != null && grammar.rules[single.rule].simple[single.state]) {
        fromSimple(node, single.parent, single.rule, single.state);
        return;
      }
      for (int c = vocab.firstChild(node); c >= 0; c = vocab.nextSibling(c)) {
        StackSet next = grammar.advance(state, vocab.label(c));
        if (next.isAlive()) {
          allow(c);
          fromSet(c, next);
        }
      }
    }

    void fromSimple(int node, Frame parent, int rule, int state) {
      RuleAutomaton r = grammar.rules[rule];
      int[] row = r.byteNext[state];
      for (int c = vocab.firstChild(node); c >= 0; c = vocab.nextSibling(c)) {
        int t = row[vocab.label(c)];
        if (t < 0) {
          continue;
        }
        if (r.simple[t]) {
          allow(c);
          fromSimple(c, parent, rule, t);
        } else {
          StackSet next = grammar.closure(new Frame(rule, t, parent));
          if (next.isAlive()) {
            allow(c);
            fromSet(c, next);
          }
        }
      }
    }

    private void allow(int node) {
      for (int t = vocab.firstToken(node); t >= 0; t = vocab.nextSameBytes(t)) {
        mask[t >>> 6] |= 1L << t;
      }
    }
  }
}
