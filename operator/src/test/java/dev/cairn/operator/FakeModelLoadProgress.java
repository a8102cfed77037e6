package dev.cairn.operator;

import dev.cairn.operator.status.ModelLoadProgress;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces the HTTP probe in tests (mock-server pods have no reachable IP): each pod reports the
 * progress a test assigned to it by name.
 */
@ApplicationScoped
public class FakeModelLoadProgress implements ModelLoadProgress {
  static final Map<String, Double> BY_POD = new ConcurrentHashMap<>();

  @Override
  public OptionalDouble of(Pod pod) {
    Double v = BY_POD.get(pod.getMetadata().getName());
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
