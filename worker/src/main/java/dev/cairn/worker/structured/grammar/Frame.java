package dev.cairn.worker.structured.grammar;

/**
 * An immutable, shared stack of the pushdown matcher: the position (rule, state) on top, and the
 * frames to return to below. Stacks that differ only in their top share their tails, so snapshots
 * are free and equality is structural.
 */
final class Frame {

  final int rule;
  final int state;
  final Frame parent;
  private final int hash;
  private final int depth;

  Frame(int rule, int state, Frame parent) {
    this.rule = rule;
    this.state = state;
    this.parent = parent;
    this.hash = 31 * (31 * rule + state) + (parent == null ? 0 : parent.hash);
    this.depth = parent == null ? 1 : parent.depth + 1;
  }

  int depth() {
    return depth;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Frame f) || f.hash != hash || f.rule != rule || f.state != state) {
      return false;
    }
    return parent == null ? f.parent == null : parent.equals(f.parent);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
