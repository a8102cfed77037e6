package dev.cairn.operator.autoscaler;

/** Which way a scaling proposal or decision points. */
public enum Direction {
  UP,
  DOWN,
  NONE;

  /** The direction that takes {@code current} to {@code proposed}. */
  public static Direction between(int current, int proposed) {
    return proposed > current ? UP : proposed < current ? DOWN : NONE;
  }
}
