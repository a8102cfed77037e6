package dev.cairn.operator.activator;

import dev.cairn.api.activator.ActivatorRoute;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The data of the activator's route ConfigMap as an editable table, without API calls: entries keep
 * their port across edits (the ConfigMap is where ports are remembered), a new entry takes the
 * lowest free port of the range, and {@link #changed} says whether anything needs writing.
 */
final class RouteTable {
  private final Map<String, String> data;
  private final int portBase;
  private final int portCount;
  private boolean changed;

  /** A table over a copy of {@code data} (null: empty), allocating from [base, base + count). */
  RouteTable(Map<String, String> data, int portBase, int portCount) {
    this.data = data == null ? new LinkedHashMap<>() : new LinkedHashMap<>(data);
    this.portBase = portBase;
    this.portCount = portCount;
  }

  /**
   * Puts a deployment's entry, keeping its port if it has one, and returns it.
   *
   * @throws IllegalStateException when it is new and every port of the range is taken
   */
  ActivatorRoute put(
      String namespace, String name, int queueSize, int timeoutSeconds, List<String> targets) {
    String key = ActivatorRoute.key(namespace, name);
    int port = portOf(data.get(key)).orElseGet(this::freePort);
    ActivatorRoute route =
        new ActivatorRoute(namespace, name, port, queueSize, timeoutSeconds, targets);
    String json = route.toJson();
    if (!json.equals(data.get(key))) {
      data.put(key, json);
      changed = true;
    }
    return route;
  }

  /** Drops a deployment's entry, freeing its port; nothing when it has none. */
  void remove(String namespace, String name) {
    changed |= data.remove(ActivatorRoute.key(namespace, name)) != null;
  }

  /** Drops every entry whose key is not in {@code keep}. */
  void retain(Set<String> keep) {
    changed |= data.keySet().retainAll(keep);
  }

  /** The keys of the entries, in table order. */
  Set<String> keys() {
    return Set.copyOf(data.keySet());
  }

  /** True when an edit changed the data. */
  boolean changed() {
    return changed;
  }

  /** The edited data. */
  Map<String, String> data() {
    return Map.copyOf(data);
  }

  private int freePort() {
    Set<Integer> used = new HashSet<>();
    data.values().forEach(v -> portOf(v).ifPresent(used::add));
    for (int p = portBase; p < portBase + portCount; p++) {
      if (!used.contains(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "every activator port of "
            + portBase
            + ".."
            + (portBase + portCount - 1)
            + " is taken (cairn.activator.port-count)");
  }

  // An entry that does not parse has no port to keep: it is rewritten with a fresh one.
  private static OptionalInt portOf(String json) {
    if (json == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(ActivatorRoute.fromJson(json).port());
    } catch (Exception e) {
      return OptionalInt.empty();
    }
  }
}
