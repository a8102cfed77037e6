package dev.cairn.operator.status;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Worker pods that have started but are not ready yet are loading their model; their progress
 * becomes the Progressing message ("loading model: 45%").
 */
final class LoadingPods {
  private LoadingPods() {}

  /** "loading model: 45%" (the least advanced pod), or empty when no pod reports progress. */
  static java.util.Optional<String> describe(List<Pod> pods, ModelLoadProgress progress) {
    List<Pod> loading =
        pods.stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(LoadingPods::startedNotReady)
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    OptionalDouble least =
        loading.stream()
            .map(progress::of)
            .filter(OptionalDouble::isPresent)
            .mapToDouble(OptionalDouble::getAsDouble)
            .min();
    if (least.isEmpty()) {
      return java.util.Optional.empty();
    }
    long pct = (long) Math.floor(least.getAsDouble() * 100);
    String pods_ = loading.size() == 1 ? "" : " (least advanced of " + loading.size() + " pods)";
    return java.util.Optional.of("loading model: " + pct + "%" + pods_);
  }

  /** The worker container passed its startup probe but not its readiness probe. */
  static boolean startedNotReady(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return false;
    }
    return pod.getStatus().getContainerStatuses().stream().anyMatch(LoadingPods::loading);
  }

  private static boolean loading(ContainerStatus cs) {
    return Boolean.TRUE.equals(cs.getStarted())
        && !Boolean.TRUE.equals(cs.getReady())
        && cs.getState() != null
        && cs.getState().getRunning() != null;
  }
}
