package dev.cairn.worker.structured.grammar;

/**
 * An immutable, shared stack of the pushdown matcher: the position (rule, state) on top, and the
 * frames to return to below. Stacks that differ only in their top share their tails, so snapshots
 * are free and equality is structural.
 */
final class Frame {

  /** {@link #toMax} of a repetition without an upper bound. */
  static final int UNBOUNDED = Integer.MAX_VALUE;

  final int rule;
  final int state;
  final Frame parent;

  /**
   * In a counted rule ({@link RuleAutomaton#counted}): the units still needed before it may end,
   * and the units it may still take (or {@link #UNBOUNDED}); 0 and 0 in every other rule.
   */
  final int toMin;

  final int toMax;

  private final int hash;
  private final int depth;

  Frame(int rule, int state, Frame parent) {
    this(rule, state, parent, 0, 0);
  }

  Frame(int rule, int state, Frame parent, int toMin, int toMax) {
    this.rule = rule;
    this.state = state;
    this.parent = parent;
    this.toMin = toMin;
    this.toMax = toMax;
    this.hash =
        31 * (31 * (31 * (31 * rule + state) + toMin) + toMax) + (parent == null ? 0 : parent.hash);
    this.depth = parent == null ? 1 : parent.depth + 1;
  }

  /** A counter after one more unit: never below 0, and {@link #UNBOUNDED} stays so. */
  static int oneFewer(int count) {
    return count == UNBOUNDED ? UNBOUNDED : Math.max(0, count - 1);
  }

  /** The same frame, counters and all, at {@code next}. */
  Frame at(int next) {
    return new Frame(rule, next, parent, toMin, toMax);
  }

  /**
   * This stack with every frame's counters at most {@code limit}: the same future for every input
   * of fewer than {@code limit} bytes, since a unit takes at least one byte.
   */
  Frame clamped(int limit) {
    Frame p = parent == null ? null : parent.clamped(limit);
    return p == parent && toMin <= limit && toMax <= limit
        ? this
        : new Frame(rule, state, p, Math.min(toMin, limit), Math.min(toMax, limit));
  }

  int depth() {
    return depth;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Frame f)
        || f.hash != hash
        || f.rule != rule
        || f.state != state
        || f.toMin != toMin
        || f.toMax != toMax) {
      return false;
    }
    return parent == null ? f.parent == null : parent.equals(f.parent);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
