package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.util.HashMap;
import java.util.Map;

/**
 * Computes which tokens a {@link StackSet} allows by walking the vocabulary's byte trie with the
 * matcher: a subtree is skipped as soon as its prefix is refused, so shared prefixes cost one step.
 * While the walk sits in a "simple" automaton state (inside a string, a number, a literal) it
 * advances by one table lookup without building stacks, which keeps free-text steps (where most of
 * the vocabulary is allowed) cheap; inside a counted string it does the same with the counters in
 * hand.
 */
public final class TokenMasks {

  private TokenMasks() {}

  /** Sets the bit of every token whose bytes the grammar accepts from {@code state}. */
  public static void fill(Grammar grammar, TokenVocabulary vocab, StackSet state, long[] mask) {
    new Walk(grammar, vocab, mask).fromSet(0, state);
  }

  private static final class Walk {
    private final Grammar grammar;
    private final TokenVocabulary vocab;
    private final long[] mask;
    // Per counted frame's parent: the states after leaving the repetition and then one more byte.
    private final Map<Frame, StackSet[]> exits = new HashMap<>();

    Walk(Grammar grammar, TokenVocabulary vocab, long[] mask) {
      this.grammar = grammar;
      this.vocab = vocab;
      this.mask = mask;
    }

    void fromSet(int node, StackSet state) {
      Frame single = state.leaves.length == 1 && !state.complete ? state.leaves[0] : null;
      if (single != null && grammar.rules[single.rule].plainCounted) {
        fromCounted(node, single);
        return;
      }
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

    /**
     * Inside a counted rule, by table lookup with the counters in hand, as {@link #fromSimple} goes
     * through a plain rule: between units, a byte either starts the next unit or, once no unit is
     * needed, is the first after the repetition ({@code exit}, looked up once per fill).
     */
    void fromCounted(int node, Frame f) {
      RuleAutomaton r = grammar.rules[f.rule];
      counted(node, r, exitsOf(f.parent), f.state, f.toMin, f.toMax);
    }

    private void counted(
        int node, RuleAutomaton r, StackSet[] exit, int state, int toMin, int toMax) {
      boolean between = state == 0;
      int[] row = !between || toMax > 0 ? r.byteNext[state] : null;
      boolean mayExit = between && toMin == 0;
      int nextMin = Frame.oneFewer(toMin);
      int nextMax = Frame.oneFewer(toMax);
      for (int c = vocab.firstChild(node); c >= 0; c = vocab.nextSibling(c)) {
        int b = vocab.label(c) & 0xFF;
        int t = row == null ? -1 : row[b];
        if (t >= 0) {
          allow(c);
          if (r.accepting[t]) {
            counted(c, r, exit, 0, nextMin, nextMax);
          }
          if (r.byteNext[t] != null) {
            counted(c, r, exit, t, toMin, toMax);
          }
        }
        if (mayExit && exit[b] != null) {
          allow(c);
          fromSet(c, exit[b]);
        }
      }
    }

    /** Per byte, the state after leaving a repetition to {@code parent} and taking it, or null. */
    private StackSet[] exitsOf(Frame parent) {
      return exits.computeIfAbsent(
          parent,
          p -> {
            StackSet[] out = new StackSet[256];
            if (p == null) {
              return out; // the repetition ends the sentence: nothing follows
            }
            StackSet after = grammar.closure(p);
            for (int b = 0; b < 256; b++) {
              StackSet next = grammar.advance(after, b);
              out[b] = next.isAlive() ? next : null;
            }
            return out;
          });
    }

    private void allow(int node) {
      for (int t = vocab.firstToken(node); t >= 0; t = vocab.nextSameBytes(t)) {
        mask[t >>> 6] |= 1L << t;
      }
    }
  }
}
