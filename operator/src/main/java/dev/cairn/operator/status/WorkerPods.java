package dev.cairn.operator.status;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * Watches the worker pods, which belong to ReplicaSets rather than to the LLMDeployment: they map
 * back to their LLMDeployment through the instance label. Their failures (unschedulable,
 * crash-looping, OOM-killed, image pull) and load progress feed the status.
 */
public final class WorkerPods {
  static final String EVENT_SOURCE = "worker-pods";

  static final String SELECTOR =
      CairnNames.LABEL_NAME
          + "="
          + CairnNames.WORKER_APP_NAME
          + ","
          + CairnNames.LABEL_MANAGED_BY
          + "="
          + CairnNames.MANAGED_BY;

  private WorkerPods() {}

  /** The informer on worker pods, mapped to their LLMDeployment by the instance label. */
  public static InformerEventSource<Pod, LLMDeployment> eventSource(
      EventSourceContext<LLMDeployment> context) {
    var config =
        InformerEventSourceConfiguration.from(Pod.class, LLMDeployment.class)
            .withName(EVENT_SOURCE)
            .withLabelSelector(SELECTOR)
            .withSecondaryToPrimaryMapper(WorkerPods::owner)
            .build();
    return new InformerEventSource<>(config, context);
  }

  /** Ready, not terminating and with an IP: a pod requests can be sent to. */
  public static boolean readyWithIp(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus() == null
        || pod.getStatus().getPodIP() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** True when the deployment may scale to zero, so its traffic goes through the activator. */
  public static boolean scalesToZero(LLMDeployment llmd) {
    return llmd.getSpec().getAutoscaling() != null
        && llmd.getSpec().getAutoscaling().scalesToZero();
  }

  static Set<ResourceID> owner(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(CairnNames.LABEL_INSTANCE);
    return instance == null
        ? Set.of()
        : Set.of(new ResourceID(instance, pod.getMetadata().getNamespace()));
  }
}
