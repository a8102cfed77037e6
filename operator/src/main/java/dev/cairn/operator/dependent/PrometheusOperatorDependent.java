package dev.cairn.operator.dependent;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
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
