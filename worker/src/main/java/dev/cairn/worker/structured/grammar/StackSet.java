package dev.cairn.worker.structured.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The matcher's state: every stack still alive whose top can take a byte (alternatives of {@code
 * anyOf} and of ambiguous prefixes live side by side), and whether the input so far is already a
 * complete sentence. Immutable and structurally comparable, so it serves as a mask-cache key.
 */
public final class StackSet {

  final Frame[] leaves;
  final boolean complete;
  private final Set<Frame> members;

  StackSet(Set<Frame> leaves, boolean complete) {
    this.leaves = leaves.toArray(new Frame[0]);
    this.complete = complete;
    this.members = leaves;
  }

  /** True when the bytes so far form a complete sentence (the caller may end here). */
  public boolean isComplete() {
    return complete;
  }

  /** True when some continuation or the end is still possible. */
  public boolean isAlive() {
    return complete || leaves.length > 0;
  }

  /** True when no byte can follow (complete, and nothing more is allowed). */
  public boolean isFinal() {
    return leaves.length == 0;
  }

  /**
   * One set per live stack, each not complete. Stacks advance independently, so the tokens this set
   * allows are the union of what each part allows: masks can be computed and cached per stack,
   * which recur far more often than whole sets.
   */
  public List<StackSet> parts() {
    List<StackSet> out = new ArrayList<>(leaves.length);
    for (Frame f : leaves) {
      out.add(new StackSet(Set.of(f), false));
    }
    return out;
  }

  /**
   * This state with every counted rule's counters at most {@code limit}: it allows the same tokens
   * as this one among tokens of fewer than {@code limit} bytes (a unit takes at least one byte, so
   * no such token runs a counter down to 0 from there). The mask cache keys on it, so the positions
   * of a long bounded string share their masks.
   */
  public StackSet clamped(int limit) {
    // Asked at every constrained step; most states hold no counter past the limit.
    Set<Frame> out = null;
    for (int i = 0; i < leaves.length; i++) {
      Frame f = leaves[i].clamped(limit);
      if (out == null && f != leaves[i]) {
        out = new LinkedHashSet<>(Arrays.asList(leaves).subList(0, i));
      }
      if (out != null) {
        out.add(f);
      }
    }
    return out == null ? this : new StackSet(out, complete);
  }

  /** The number of live stacks. */
  public int size() {
    return leaves.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StackSet s && s.complete == complete && s.members.equals(members);
  }

  @Override
  public int hashCode() {
    return members.hashCode() * 2 + (complete ? 1 : 0);
  }

  @Override
  public String toString() {
    return "StackSet" + Arrays.toString(Arrays.stream(leaves).mapToInt(f -> f.state).toArray());
  }
}
