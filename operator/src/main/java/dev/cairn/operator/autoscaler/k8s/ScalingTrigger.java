package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.DeploymentKey;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Asks the controller to reconcile one LLMDeployment after a scaling decision. Needed because the
 * controller filters status-only updates (generation-aware), so the status patch alone would not
 * make the worker Deployment follow.
 */
@ApplicationScoped
public class ScalingTrigger {
  /** The event source's name in the controller. */
  public static final String EVENT_SOURCE = "autoscaler";

  private final SimpleInboundEventSource<LLMDeployment> source =
      new SimpleInboundEventSource<>(EVENT_SOURCE);

  /** Registered once by the reconciler's {@code prepareEventSources}. */
  public SimpleInboundEventSource<LLMDeployment> eventSource() {
    return source;
  }

  /**
   * True once the controller runs. JOSDK starts a controller's event sources only on the replica
   * that holds the leader Lease, so this also tells the loop whether it may act at all.
   */
  public boolean controllerRunning() {
    return source.isRunning();
  }

  /** Queues a reconcile of {@code key}; a no-op before the controller has started the source. */
  public void reconcile(DeploymentKey key) {
    if (source.isRunning()) {
      source.propagateEvent(new ResourceID(key.name(), key.namespace()));
    }
  }
}
