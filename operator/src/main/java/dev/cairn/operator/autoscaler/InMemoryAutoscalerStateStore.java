package dev.cairn.operator.autoscaler;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps autoscaler state in this process: it is gone after a restart, which the policy tolerates.
 */
public final class InMemoryAutoscalerStateStore implements AutoscalerStateStore {
  private final Map<DeploymentKey, AutoscalerState> states = new ConcurrentHashMap<>();

  @Override
  public Optional<AutoscalerState> get(DeploymentKey key) {
    return Optional.ofNullable(states.get(key));
  }

  @Override
  public void put(DeploymentKey key, AutoscalerState state) {
    states.put(key, state);
  }

  @Override
  public void remove(DeploymentKey key) {
    states.remove(key);
  }
}
