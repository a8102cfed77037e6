package dev.cairn.operator.monitoring.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.CairnOperatorConfig;
import dev.cairn.operator.monitoring.model.DashboardConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import jakarta.inject.Inject;

/**
 * The Grafana dashboard ConfigMap, beside the resource or in the configured Grafana namespace.
 * Deliberately not garbage-collected: an owner reference cannot point across namespaces, so JOSDK
 * maps it back by annotations and, being a {@link Deleter}, puts a finalizer on the resource and
 * deletes the ConfigMap when the resource goes (or when the dashboard is disabled).
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = CairnNames.LABEL_MANAGED_BY + "=" + CairnNames.MANAGED_BY))
public class DashboardConfigMapDependent
    extends KubernetesDependentResource<ConfigMap, LLMDeployment>
    implements Creator<ConfigMap, LLMDeployment>,
        Updater<ConfigMap, LLMDeployment>,
        Deleter<LLMDeployment> {

  private final DashboardConfigMapBuilder builder = DashboardConfigMapBuilder.fromClasspath();

  @Inject CairnOperatorConfig config;

  public DashboardConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(LLMDeployment primary, Context<LLMDeployment> context) {
    return builder.build(primary, config.grafanaNamespace().orElse(null));
  }
}
