package dev.cairn.operator.autoscaler;

import java.util.Optional;

/**
 * Where autoscaler state lives between cycles, keyed by namespace/name. Flink's autoscaler keeps
 * the same seam, so a store backed by a ConfigMap could later survive operator restarts.
 */
public interface AutoscalerStateStore {

  /** The state stored for {@code key}, if any. */
  Optional<AutoscalerState> get(DeploymentKey key);

  /** Stores (or replaces) the state for {@code key}. */
  void put(DeploymentKey key, AutoscalerState state);

  /** Forgets {@code key}, e.g. when the deployment is deleted or autoscaling is turned off. */
  void remove(DeploymentKey key);
}
