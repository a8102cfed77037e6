package dev.cairn.worker.structured.regex;

import java.util.Arrays;

/**
 * A subset of automaton states, sorted, as a hash key: the subset constructions (of a regex's
 * {@link ByteDfa} and of a grammar rule's automaton) number each subset once.
 */
public final class SortedStates {
  private final int[] states;
  private final int hash;

  /** Takes {@code states} (sorted, without repeats) as it is. */
  public SortedStates(int[] states) {
    this.states = states;
    this.hash = Arrays.hashCode(states);
  }

  /** The states, sorted; do not modify. */
  public int[] states() {
    return states;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SortedStates other && Arrays.equals(states, other.states);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return Arrays.toString(states);
  }
}
