package dev.cairn.operator.monitoring.dependent;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesResourceMatcher;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * An owned, untyped monitoring.coreos.com object (the operator has no model classes for them).
 * JOSDK hands every dependent the secondaries of its resource class, and both the ServiceMonitor
 * and the PrometheusRule are GenericKubernetesResources named after the LLMDeployment: the target
 * is picked by kind too, or one would be "updated" with the other's content.
 */
public abstract class PrometheusOperatorDependent
    extends GenericKubernetesDependentResource<LLMDeployment>
    implements Creator<GenericKubernetesResource, LLMDeployment>,
        Updater<GenericKubernetesResource, LLMDeployment>,
        GarbageCollected<LLMDeployment> {
  static final String GROUP = "monitoring.coreos.com";
  static final String VERSION = "v1";

  private final String apiVersion;
  private final String kind;

  protected PrometheusOperatorDependent(String kind) {
    super(new GroupVersionKind(GROUP, VERSION, kind));
    this.apiVersion = GROUP + "/" + VERSION;
    this.kind = kind;
  }

  /**
   * While the CRD is missing JOSDK still builds the event source, only to deregister it by name,
   * and building it fails (fabric8 cannot discover the kind). A never-started stand-in of the same
   * name lets the workflow go on; the real informer is built once the CRD exists.
   */
  @Override
  public synchronized Optional<InformerEventSource<GenericKubernetesResource, LLMDeployment>>
      eventSource(EventSourceContext<LLMDeployment> context) {
    try {
      return super.eventSource(context);
    } catch (KubernetesClientException e) {
      return Optional.of(standIn(context));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private InformerEventSource<GenericKubernetesResource, LLMDeployment> standIn(
      EventSourceContext<LLMDeployment> context) {
    var config =
        InformerEventSourceConfiguration.from(ConfigMap.class, LLMDeployment.class)
            .withName(name())
            .withSecondaryToPrimaryMapper(r -> Set.of())
            .build();
    return (InformerEventSource) new InformerEventSource<>(config, context);
  }

  /**
   * Spec compared for equality: the default matcher tolerates extra elements in the actual object,
   * so a rule dropped from the desired PrometheusRule (logEngineMetrics off) would never be
   * noticed.
   */
  @Override
  public Matcher.Result<GenericKubernetesResource> match(
      GenericKubernetesResource actual, LLMDeployment primary, Context<LLMDeployment> context) {
    return GenericKubernetesResourceMatcher.match(this, actual, primary, context, true, false);
  }

  @Override
  protected Optional<GenericKubernetesResource> selectTargetSecondaryResource(
      Set<GenericKubernetesResource> secondaryResources,
      LLMDeployment primary,
      Context<LLMDeployment> context) {
    Set<GenericKubernetesResource> ofKind = new HashSet<>();
    for (GenericKubernetesResource r : secondaryResources) {
      if (kind.equals(r.getKind()) && apiVersion.equals(r.getApiVersion())) {
        ofKind.add(r);
      }
    }
    return super.selectTargetSecondaryResource(ofKind, primary, context);
  }
}
