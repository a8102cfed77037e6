package dev.cairn.operator.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.model.monitoring.ServiceMonitorBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The workers' ServiceMonitor, untyped (the operator has no model classes for
 * monitoring.coreos.com). Owned, so the garbage collector removes it with the resource.
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = CairnNames.LABEL_MANAGED_BY + "=" + CairnNames.MANAGED_BY))
public class ServiceMonitorDependent extends GenericKubernetesDependentResource<LLMDeployment>
    implements Creator<GenericKubernetesResource, LLMDeployment>,
        Updater<GenericKubernetesResource, LLMDeployment>,
        GarbageCollected<LLMDeployment> {

  static final GroupVersionKind GVK =
      new GroupVersionKind("monitoring.coreos.com", "v1", ServiceMonitorBuilder.KIND);

  public ServiceMonitorDependent() {
    super(GVK);
  }

  @Override
  protected GenericKubernetesResource desired(
      LLMDeployment primary, Context<LLMDeployment> context) {
    return ServiceMonitorBuilder.build(primary);
  }
}
