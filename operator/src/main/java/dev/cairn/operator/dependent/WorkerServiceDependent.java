package dev.cairn.operator.dependent;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.model.WorkerServiceModel;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The worker Service: desired state from {@link WorkerServiceModel}. */
@KubernetesDependent(
    informer = @Informer(labelSelector = CairnNames.LABEL_MANAGED_BY + "=" + CairnNames.MANAGED_BY))
public class WorkerServiceDependent
    extends CRUDKubernetesDependentResource<Service, LLMDeployment> {

  public WorkerServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(LLMDeployment primary, Context<LLMDeployment> context) {
    return WorkerServiceModel.desired(primary);
  }
}
