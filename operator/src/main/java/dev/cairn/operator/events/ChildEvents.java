package dev.cairn.operator.events;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.ConditionSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which Events a reconcile round deserves: changes and problems, never the steady state.
 */
public final class ChildEvents {
  private ChildEvents() {}

  /** Created / Scaled / Updated, from the worker Deployment before and after the workflow. */
  public static void deploymentChanged(
      LLMDeployment llmd,
      Optional<Deployment> before,
      Optional<Deployment> after,
      EventRecorder events) {
    if (after.isEmpty()) {
      return;
    }
    Deployment now = after.get();
    String name = now.getMetadata().getName();
    if (before.isEmpty()) {
      events.record(
          llmd,
          EventRecorder.NORMAL,
          "Created",
          "Created Deployment "
              + name
              + " and Service "
              + name
              + " with "
              + now.getSpec().getReplicas()
              + " replica(s) on "
              + llmd.getSpec().getAccelerator().getType());
      return;
    }
    Deployment was = before.get();
    Integer from = was.getSpec().getReplicas();
    Integer to = now.getSpec().getReplicas();
    if (!Objects.equals(from, to)) {
      events.record(
          llmd,
          EventRecorder.NORMAL,
          "Scaled",
          "Scaled Deployment " + name + " from " + from + " to " + to + " replicas");
    }
    if (!Objects.equals(was.getSpec().getTemplate(), now.getSpec().getTemplate())) {
      events.record(
          llmd,
          EventRecorder.NORMAL,
          "Updated",
          "Updated Deployment " + name + ": rolling out the changed worker pod template");
    }
  }

  /** A Warning for every new or changed problem; a Normal event when the deployment turns Ready. */
  public static void conditionsChanged(LLMDeployment llmd, ConditionSet cs, EventRecorder events) {
    if (cs.changedToOrWithin(Conditions.DEGRADED, true)) {
      var c = cs.get(Conditions.DEGRADED).orElseThrow();
      events.record(llmd, EventRecorder.WARNING, c.getReason(), c.getMessage());
    }
    if (cs.flippedTo(Conditions.READY, true)) {
      var c = cs.get(Conditions.READY).orElseThrow();
      events.record(llmd, EventRecorder.NORMAL, "Ready", c.getMessage());
    }
  }
}
