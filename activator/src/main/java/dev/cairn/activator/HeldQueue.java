package dev.cairn.activator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The requests held for one deployment, oldest first, bounded by the route's queue size. Thread
 * safe: requests arrive on the event loop, the route table changes on the informer's thread.
 */
final class HeldQueue<T> {
  private final LinkedHashSet<T> items = new LinkedHashSet<>();
  private int capacity;

  HeldQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Holds {@code item}; false when the queue is full. */
  synchronized boolean offer(T item) {
    if (items.size() >= capacity) {
      return false;
    }
    return items.add(item);
  }

  /** Removes {@code item}; false when it already left (forwarded, timed out or gone). */
  synchronized boolean remove(T item) {
    return items.remove(item);
  }

  /** Takes every held item, oldest first. */
  synchronized List<T> drain() {
    List<T> all = new ArrayList<>(items);
    items.clear();
    return all;
  }

  synchronized int size() {
    return items.size();
  }

  synchronized boolean isEmpty() {
    return items.isEmpty();
  }

  /** A new bound applies to later arrivals; requests already held stay. */
  synchronized void capacity(int newCapacity) {
    capacity = newCapacity;
  }
}
