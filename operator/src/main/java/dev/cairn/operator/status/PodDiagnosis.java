package dev.cairn.operator.status;

import dev.cairn.api.v1alpha1.Conditions.Reason;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads worker pods for the failures a user must act on: a pod the scheduler cannot place, a
 * crash-looping or OOM-killed worker, an image that cannot be pulled.
 */
public final class PodDiagnosis {
  private static final Set<String> IMAGE_PULL =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  private PodDiagnosis() {}

  /** The worst problem among the pods, with a note on how many other pods have problems. */
  public static Optional<PodProblem> diagnose(List<Pod> pods) {
    List<PodProblem> found = new ArrayList<>();
    pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .forEach(p -> problem(p).ifPresent(found::add));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    PodProblem worst =
        found.stream().min(Comparator.comparingInt(PodProblem::severity)).orElseThrow();
    int others = found.size() - 1;
    if (others == 0) {
      return Optional.of(worst);
    }
    String more = " (and " + others + " more pod" + (others == 1 ? "" : "s") + " failing)";
    return Optional.of(new PodProblem(worst.reason(), worst.message() + more, worst.severity()));
  }

  /** The problem of one pod, if it has one. */
  static Optional<PodProblem> problem(Pod pod) {
    String name = pod.getMetadata().getName();
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus cs : nullSafe(pod.getStatus().getContainerStatuses())) {
      Optional<PodProblem> p = container(name, pod, cs);
      if (p.isPresent()) {
        return p;
      }
    }
    for (PodCondition c : nullSafe(pod.getStatus().getConditions())) {
      if ("PodScheduled".equals(c.getType())
          && "False".equals(c.getStatus())
          && "Unschedulable".equals(c.getReason())) {
        String why = c.getMessage() == null ? "no node fits" : c.getMessage();
        return Optional.of(
            new PodProblem(
                Reason.UNSCHEDULABLE, "pod " + name + " cannot be scheduled: " + why, 3));
      }
    }
    return Optional.empty();
  }

  private static Optional<PodProblem> container(String pod, Pod p, ContainerStatus cs) {
    ContainerStateWaiting waiting = cs.getState() == null ? null : cs.getState().getWaiting();
    ContainerStateTerminated last =
        cs.getLastState() == null ? null : cs.getLastState().getTerminated();
    String waitReason = waiting == null ? null : waiting.getReason();
    if (waitReason != null && IMAGE_PULL.contains(waitReason)) {
      String detail = waiting.getMessage() == null ? waitReason : waiting.getMessage();
      return Optional.of(
          new PodProblem(
              Reason.IMAGE_PULL_FAILED,
              "pod " + pod + " cannot pull image " + cs.getImage() + ": " + detail,
              0));
    }
    if (last != null && "OOMKilled".equals(last.getReason())) {
      return Optional.of(
          new PodProblem(
              Reason.OOM_KILLED,
              "container "
                  + cs.getName()
                  + " in pod "
                  + pod
                  + " was killed for exceeding its memory limit"
                  + memoryLimit(p, cs.getName())
                  + " (restarts: "
                  + restarts(cs)
                  + "); raise spec.worker.resources.limits.memory or lower"
                  + " spec.engine.kvCacheMemory",
              1));
    }
    if ("CrashLoopBackOff".equals(waitReason)) {
      String exit =
          last == null
              ? ""
              : ", last exit code "
                  + last.getExitCode()
                  + (last.getReason() == null ? "" : " (" + last.getReason() + ")");
      return Optional.of(
          new PodProblem(
              Reason.CRASH_LOOP,
              "container "
                  + cs.getName()
                  + " in pod "
                  + pod
                  + " is crash-looping (restarts: "
                  + restarts(cs)
                  + exit
                  + "); see kubectl logs "
                  + pod
                  + " --previous",
              2));
    }
    return Optional.empty();
  }

  private static String memoryLimit(Pod pod, String container) {
    if (pod.getSpec() == null) {
      return "";
    }
    return nullSafe(pod.getSpec().getContainers()).stream()
        .filter(c -> container.equals(c.getName()))
        .map(c -> c.getResources() == null ? null : c.getResources().getLimits())
        .filter(l -> l != null && l.get("memory") != null)
        .map(l -> " of " + formatted(l.get("memory")))
        .findFirst()
        .orElse("");
  }

  private static String formatted(Quantity q) {
    return q.getAmount() + (q.getFormat() == null ? "" : q.getFormat());
  }

  private static int restarts(ContainerStatus cs) {
    return cs.getRestartCount() == null ? 0 : cs.getRestartCount();
  }

  private static <T> List<T> nullSafe(List<T> l) {
    return l == null ? List.of() : l;
  }
}
