package dev.cairn.operator.monitoring.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.monitoring.model.ServiceMonitorBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The workers' ServiceMonitor: desired state from {@link ServiceMonitorBuilder}. */
@KubernetesDependent(
    informer = @Informer(labelSelector = CairnNames.LABEL_MANAGED_BY + "=" + CairnNames.MANAGED_BY))
public class ServiceMonitorDependent extends PrometheusOperatorDependent {

  public ServiceMonitorDependent() {
    super(ServiceMonitorBuilder.KIND);
  }

  @Override
  protected GenericKubernetesResource desired(
      LLMDeployment primary, Context<LLMDeployment> context) {
    return ServiceMonitorBuilder.build(primary);
  }
}
