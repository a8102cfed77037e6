package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import dev.cairn.operator.status.ConditionSet;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** The status fields the autoscaler owns: desiredReplicas, lastScaleTime and ScalingActive. */
final class ScalingStatus {
  private static final List<String> ORDER =
      List.of(
          Conditions.READY,
          Conditions.PROGRESSING,
          Conditions.DEGRADED,
          Conditions.SCALING_ACTIVE,
          Conditions.MONITORING_READY);

  private ScalingStatus() {}

  /** Puts a decision into {@code llmd}'s status (in place) and marks scaling active. */
  static void applyDecision(LLMDeployment llmd, int replicas, String reason, Instant at) {
    LLMDeploymentStatus s = status(llmd);
    s.setDesiredReplicas(replicas);
    s.setLastScaleTime(rfc3339(at));
    setCondition(llmd, true, activeReason(replicas), reason, at);
  }

  /** ScalingActive's reason while the autoscaler runs: ScaledToZero at zero replicas. */
  static String activeReason(int replicas) {
    return replicas == 0 ? Conditions.Reason.SCALED_TO_ZERO : Conditions.Reason.AUTOSCALING_ACTIVE;
  }

  /** Sets ScalingActive in {@code llmd}'s status (in place), other conditions kept. */
  static void setCondition(
      LLMDeployment llmd, boolean active, String reason, String message, Instant at) {
    LLMDeploymentStatus s = status(llmd);
    Long g = llmd.getMetadata().getGeneration();
    ConditionSet cs = new ConditionSet(s.getConditions(), g == null ? 0 : g, at);
    cs.set(Conditions.SCALING_ACTIVE, active, reason, message);
    s.setConditions(cs.toList(ORDER));
  }

  /** True when ScalingActive already has this status and reason (the message may differ). */
  static boolean conditionIs(LLMDeployment llmd, boolean active, String reason) {
    return condition(llmd)
        .map(c -> c.getStatus().equals(active ? "True" : "False") && reason.equals(c.getReason()))
        .orElse(false);
  }

  static Optional<Condition> condition(LLMDeployment llmd) {
    if (llmd.getStatus() == null) {
      return Optional.empty();
    }
    return llmd.getStatus().getConditions().stream()
        .filter(c -> Conditions.SCALING_ACTIVE.equals(c.getType()))
        .findFirst();
  }

  static String rfc3339(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
  }

  private static LLMDeploymentStatus status(LLMDeployment llmd) {
    if (llmd.getStatus() == null) {
      llmd.setStatus(new LLMDeploymentStatus());
    }
    return llmd.getStatus();
  }
}
