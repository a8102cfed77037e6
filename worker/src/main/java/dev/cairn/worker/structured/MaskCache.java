package dev.cairn.worker.structured;

import dev.cairn.worker.structured.grammar.StackSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token masks by matcher state, at most {@link #CAPACITY}, in two generations: a full young
 * generation becomes the old one and the old one is dropped, and a hit in the old generation moves
 * the mask back into the young. A state in use (a schema's opening, the inside of a string that
 * every request passes through) is kept however many other states come and go, where starting the
 * whole cache over made every request pay for those masks again at once. Thread-safe: sampling runs
 * in parallel, and a race at worst computes a mask twice.
 */
final class MaskCache {

  /** Masks kept at most (a 152k vocabulary's mask is 19 KiB). */
  static final int CAPACITY = 512;

  private volatile Map<StackSet, long[]> young = new ConcurrentHashMap<>();
  private volatile Map<StackSet, long[]> old = new ConcurrentHashMap<>();

  long[] get(StackSet state) {
    long[] mask = young.get(state);
    if (mask == null) {
      mask = old.get(state);
      if (mask != null) {
        put(state, mask);
      }
    }
    return mask;
  }

  void put(StackSet state, long[] mask) {
    Map<StackSet, long[]> y = young;
    y.put(state, mask);
    if (y.size() >= CAPACITY / 2) {
      synchronized (this) {
        if (young == y) {
          old = y;
          young = new ConcurrentHashMap<>();
        }
      }
    }
  }
}
