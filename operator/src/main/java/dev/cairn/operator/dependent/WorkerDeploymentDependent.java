package dev.cairn.operator.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.model.WorkerDeploymentModel;
import dev.cairn.operator.replicas.DesiredReplicas;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;

/** The worker Deployment: desired state from {@link WorkerDeploymentModel}, nothing else. */
@KubernetesDependent(
    informer = @Informer(labelSelector = CairnNames.LABEL_MANAGED_BY + "=" + CairnNames.MANAGED_BY))
public class WorkerDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, LLMDeployment> {

  @Inject WorkerDeploymentModel model;
  @Inject DesiredReplicas replicas;

  public WorkerDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(LLMDeployment primary, Context<LLMDeployment> context) {
    return model.desired(primary, replicas.of(primary));
  }
}
