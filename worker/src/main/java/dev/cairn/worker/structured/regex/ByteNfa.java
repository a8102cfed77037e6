package dev.cairn.worker.structured.regex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Thompson NFA over bytes built from a {@link RegexNode}: each state has byte-range edges and
 * epsilon edges; one start and one accepting state. {@link ByteDfa#of} determinizes it.
 */
final class ByteNfa {

  /** Byte edges of each state as {lo, hi, target} triples. */
  final List<List<int[]>> edges = new ArrayList<>();

  final List<List<Integer>> epsilons = new ArrayList<>();
  int start;
  int accept;

  private final CharEncoding encoding;

  // A bounded repeat builds its body once per copy ({0,64} of a string's character class is 64
  // copies), and encoding a set's sequences (escapes included) costs more than the states do.
  private final Map<CharSet, List<int[]>> sequences = new HashMap<>();

  private ByteNfa(CharEncoding encoding) {
    this.encoding = encoding;
  }

  static ByteNfa of(RegexNode node, CharEncoding encoding) {
    ByteNfa nfa = new ByteNfa(encoding);
    int[] frag = nfa.build(node);
    nfa.start = frag[0];
    nfa.accept = frag[1];
    return nfa;
  }

  int size() {
    return edges.size();
  }

  private int newState() {
    edges.add(new ArrayList<>());
    epsilons.add(new ArrayList<>());
    return edges.size() - 1;
  }

  private void epsilon(int from, int to) {
    epsilons.get(from).add(to);
  }

  /** Returns {entry, exit} of a fragment matching {@code node}. */
  private int[] build(RegexNode node) {
    return switch (node) {
      case RegexNode.Chars c -> chars(c.set());
      case RegexNode.Concat c -> concat(c.parts());
      case RegexNode.Alt a -> alt(a.alternatives());
      case RegexNode.Repeat r -> repeat(r.body(), r.min(), r.max());
    };
  }

  private int[] chars(CharSet set) {
    int in = newState();
    int out = newState();
    for (int[] seq : sequences.computeIfAbsent(set, encoding::sequences)) {
      int at = in;
      for (int i = 0; i < seq.length; i += 2) {
        int to = i + 2 == seq.length ? out : newState();
        edges.get(at).add(new int[] {seq[i], seq[i + 1], to});
        at = to;
      }
    }
    return new int[] {in, out};
  }

  private int[] concat(List<RegexNode> parts) {
    int in = newState();
    int at = in;
    for (RegexNode part : parts) {
      int[] f = build(part);
      epsilon(at, f[0]);
      at = f[1];
    }
    return new int[] {in, at};
  }

  private int[] alt(List<RegexNode> alternatives) {
    int in = newState();
    int out = newState();
    for (RegexNode a : alternatives) {
      int[] f = build(a);
      epsilon(in, f[0]);
      epsilon(f[1], out);
    }
    return new int[] {in, out};
  }

  private int[] repeat(RegexNode body, int min, int max) {
    int in = newState();
    int at = in;
    for (int i = 0; i < min; i++) {
      int[] f = build(body);
      epsilon(at, f[0]);
      at = f[1];
    }
    int out = newState();
    if (max < 0) {
      int[] f = build(body);
      epsilon(at, f[0]);
      epsilon(f[1], at);
      epsilon(at, out);
      return new int[] {in, out};
    }
    for (int i = min; i < max; i++) {
      int[] f = build(body);
      epsilon(at, out);
      epsilon(at, f[0]);
      at = f[1];
    }
    epsilon(at, out);
    return new int[] {in, out};
  }
}
