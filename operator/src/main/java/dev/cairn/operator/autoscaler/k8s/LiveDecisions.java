package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.operator.autoscaler.DeploymentKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica counts the autoscaler decided in this process. The reconciler may run before its
 * cache holds the status patch that carries a decision; reading the decision from here keeps it
 * from writing the old count back. After a restart the map is empty and status rules.
 */
@ApplicationScoped
public class LiveDecisions {
  private final Map<DeploymentKey, Integer> decided = new ConcurrentHashMap<>();

  /** Remembers the latest decision for {@code key}. */
  public void put(DeploymentKey key, int replicas) {
    decided.put(key, replicas);
  }

  /** The latest decision for {@code key}, if one was taken since startup. */
  public OptionalInt get(DeploymentKey key) {
    Integer v = decided.get(key);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** Forgets {@code key} (deleted, or autoscaling switched off). */
  public void remove(DeploymentKey key) {
    decided.remove(key);
  }
}
