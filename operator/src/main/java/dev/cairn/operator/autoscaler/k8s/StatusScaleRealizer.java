package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.ScaleRealizer;
import dev.cairn.operator.autoscaler.ScalingDecision;
import dev.cairn.operator.events.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Realizes a decision through the LLMDeployment itself: a status patch (desiredReplicas,
 * lastScaleTime, ScalingActive; a patch, never a PUT), an Event with the decision's reason, and a
 * reconcile so the worker Deployment's replicas follow.
 */
public final class StatusScaleRealizer implements ScaleRealizer {
  /** The Event reason of a scaling decision. */
  public static final String SCALED = "Scaled";

  private static final Logger LOG = Logger.getLogger(StatusScaleRealizer.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final LiveDecisions decisions;
  private final ScalingTrigger trigger;
  private final Clock clock;

  /** Wires the realizer to the cluster and the controller. */
  public StatusScaleRealizer(
      KubernetesClient client,
      EventRecorder events,
      LiveDecisions decisions,
      ScalingTrigger trigger,
      Clock clock) {
    this.client = client;
    this.events = events;
    this.decisions = decisions;
    this.trigger = trigger;
    this.clock = clock;
  }

  @Override
  public void realize(DeploymentKey key, ScalingDecision decision) {
    var resource =
        client.resources(LLMDeployment.class).inNamespace(key.namespace()).withName(key.name());
    LLMDeployment current = resource.get();
    if (current == null || current.getSpec().getAutoscaling() == null) {
      // Deleted or switched off meanwhile: the loop forgets it on its next tick.
      return;
    }
    LLMDeployment patched =
        resource.editStatus(
            l -> {
              ScalingStatus.applyDecision(
                  l, decision.desiredReplicas(), decision.reason(), decision.decidedAt());
              return l;
            });
    decisions.put(key, decision.desiredReplicas());
    LOG.infof("%s: %s", key, decision.reason());
    events.record(patched, EventRecorder.NORMAL, SCALED, decision.reason());
    trigger.reconcile(key);
  }

  /** Patches ScalingActive alone (metrics unavailable, or active again), a no-op if gone. */
  public void condition(DeploymentKey key, boolean active, String reason, String message) {
    var resource =
        client.resources(LLMDeployment.class).inNamespace(key.namespace()).withName(key.name());
    if (resource.get() == null) {
      return;
    }
    resource.editStatus(
        l -> {
          ScalingStatus.setCondition(l, active, reason, message, clock.instant());
          return l;
        });
  }
}
