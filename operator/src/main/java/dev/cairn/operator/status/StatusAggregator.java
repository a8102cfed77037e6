package dev.cairn.operator.status;

import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.operator.model.WorkerLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Computes an LLMDeployment's status from what exists: the worker Deployment's counts, the worker
 * pods' failures and the model-load progress of pods still loading. Pure apart from the probe it is
 * handed; the reconciler decides whether the result differs enough to be written.
 */
public final class StatusAggregator {
  /** The order conditions are listed in (kubectl describe reads better that way). */
  public static final List<String> ORDER =
      List.of(
          Conditions.READY,
          Conditions.PROGRESSING,
          Conditions.DEGRADED,
          Conditions.SCALING_ACTIVE,
          Conditions.MONITORING_READY);

  private final Clock clock;

  public StatusAggregator(Clock clock) {
    this.clock = clock;
  }

  /** The new status and its conditions, so the caller can tell transitions apart. */
  public record Result(LLMDeploymentStatus status, ConditionSet conditions) {}

  /** Status of a valid spec whose dependents were reconciled. */
  public Result aggregate(
      LLMDeployment llmd,
      int desired,
      Optional<Deployment> deployment,
      List<Pod> pods,
      ModelLoadProgress progress) {
    LLMDeploymentStatus status = base(llmd, deployment);
    status.setDesiredReplicas(desired);
    status.setReady(status.getReadyReplicas() + "/" + desired);
    ConditionSet cs = conditions(llmd);
    Counts counts = Counts.of(deployment);

    boolean ready = counts.ready >= desired;
    cs.set(
        Conditions.READY,
        ready,
        readyReason(llmd, ready, desired),
        counts.ready
            + "/"
            + desired
            + " replicas ready"
            + (desired == 0 ? " (scaled to zero)" : ""));

    boolean rollingOut = counts.rollingOut(desired);
    if (!rollingOut) {
      cs.set(
          Conditions.PROGRESSING,
          false,
          Reason.ROLLOUT_COMPLETE,
          "all " + desired + " replicas run the current spec");
    } else {
      Optional<String> loading = LoadingPods.describe(pods, progress);
      cs.set(
          Conditions.PROGRESSING,
          true,
          loading.isPresent() ? Reason.LOADING_MODEL : Reason.ROLLING_OUT,
          loading.orElse(
              "rolling out: "
                  + counts.ready
                  + "/"
                  + desired
                  + " replicas ready, "
                  + counts.updated
                  + "/"
                  + desired
                  + " updated"));
    }

    Optional<PodProblem> problem = PodDiagnosis.diagnose(pods);
    cs.set(
        Conditions.DEGRADED,
        problem.isPresent(),
        problem.map(PodProblem::reason).orElse(Reason.AS_EXPECTED),
        problem.map(PodProblem::message).orElse("no failing worker pods"));
    scalingCondition(llmd, cs);
    status.setConditions(cs.toList(ORDER));
    return new Result(status, cs);
  }

  /** ScaledToZero when zero replicas are the autoscaler's choice: idle on purpose, not broken. */
  private static String readyReason(LLMDeployment llmd, boolean ready, int desired) {
    if (!ready) {
      return Reason.REPLICAS_NOT_READY;
    }
    var autoscaling = llmd.getSpec().getAutoscaling();
    boolean toZero = desired == 0 && autoscaling != null && autoscaling.scalesToZero();
    return toZero ? Reason.SCALED_TO_ZERO : Reason.ALL_REPLICAS_READY;
  }

  /**
   * Status of a spec that failed validation: Degraded with the violations, nothing created or
   * changed, and the counts of whatever already runs left truthful.
   */
  public Result invalid(LLMDeployment llmd, String message, Optional<Deployment> deployment) {
    LLMDeploymentStatus status = base(llmd, deployment);
    Integer desired = status.getDesiredReplicas();
    status.setReady(status.getReadyReplicas() + "/" + (desired == null ? 0 : desired));
    ConditionSet cs = conditions(llmd);
    cs.set(Conditions.READY, false, Reason.INVALID_SPEC, "the spec is invalid: " + message);
    cs.set(
        Conditions.PROGRESSING,
        false,
        Reason.INVALID_SPEC,
        "waiting for a valid spec; running workers are left unchanged");
    cs.set(Conditions.DEGRADED, true, Reason.INVALID_SPEC, message);
    status.setConditions(cs.toList(ORDER));
    return new Result(status, cs);
  }

  private ConditionSet conditions(LLMDeployment llmd) {
    LLMDeploymentStatus old = llmd.getStatus();
    return new ConditionSet(
        old == null ? List.of() : old.getConditions(), generation(llmd), clock.instant());
  }

  /** Fields every status carries; previous values of fields other components own are kept. */
  private static LLMDeploymentStatus base(LLMDeployment llmd, Optional<Deployment> deployment) {
    LLMDeploymentStatus old = llmd.getStatus();
    LLMDeploymentStatus s = new LLMDeploymentStatus();
    String name = llmd.getMetadata().getName();
    Counts counts = Counts.of(deployment);
    s.setObservedGeneration(generation(llmd));
    s.setModel(llmd.effectiveModelId());
    s.setReplicas(counts.replicas);
    s.setReadyReplicas(counts.ready);
    s.setSelector(WorkerLabels.selectorString(name));
    s.setEndpoint(ResourceNames.endpoint(name, llmd.getMetadata().getNamespace()));
    s.setLoraAdapters(loraAdapters(llmd));
    if (old != null) {
      s.setDesiredReplicas(old.getDesiredReplicas());
      s.setLastScaleTime(old.getLastScaleTime());
    }
    return s;
  }

  /** The declared adapter count; null without spec.lora, so the column stays empty. */
  private static Integer loraAdapters(LLMDeployment llmd) {
    LoraSpec lora = llmd.getSpec() == null ? null : llmd.getSpec().getLora();
    return lora == null ? null : lora.declared().size();
  }

  /**
   * ScalingActive belongs to the autoscaler while spec.autoscaling is set; without it the operator
   * says why nothing scales, and drops that note again once autoscaling is switched on.
   */
  private static void scalingCondition(LLMDeployment llmd, ConditionSet cs) {
    if (llmd.getSpec().getAutoscaling() == null) {
      cs.set(
          Conditions.SCALING_ACTIVE,
          false,
          Reason.AUTOSCALING_DISABLED,
          "spec.autoscaling is not set; replicas follow spec.replicas");
    } else if (cs.previous(Conditions.SCALING_ACTIVE)
        .map(c -> Reason.AUTOSCALING_DISABLED.equals(c.getReason()))
        .orElse(false)) {
      cs.remove(Conditions.SCALING_ACTIVE);
    }
  }

  private static long generation(LLMDeployment llmd) {
    Long g = llmd.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  /** The Deployment's replica counts, zero where the deployment controller has not said yet. */
  private record Counts(int replicas, int ready, int updated, boolean observed) {
    static Counts of(Optional<Deployment> deployment) {
      if (deployment.isEmpty()) {
        return new Counts(0, 0, 0, false);
      }
      Deployment d = deployment.get();
      DeploymentStatus s = d.getStatus();
      if (s == null) {
        return new Counts(0, 0, 0, false);
      }
      Long gen = d.getMetadata().getGeneration();
      boolean observed =
          gen == null || s.getObservedGeneration() == null || s.getObservedGeneration() >= gen;
      return new Counts(
          n(s.getReplicas()), n(s.getReadyReplicas()), n(s.getUpdatedReplicas()), observed);
    }

    /** True until the current template runs on exactly the desired number of ready pods. */
    boolean rollingOut(int desired) {
      return !observed || updated < desired || ready < desired || replicas > desired;
    }

    private static int n(Integer v) {
      return v == null ? 0 : v;
    }
  }
}
