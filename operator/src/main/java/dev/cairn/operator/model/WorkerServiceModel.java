package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/**
 * The ClusterIP Service in front of an LLMDeployment's workers, computed without API calls. A
 * deployment that scales to zero gets no selector: the operator writes its EndpointSlice, so its
 * traffic can go to the activator while no worker is ready.
 */
public final class WorkerServiceModel {
  private WorkerServiceModel() {}

  /** The desired Service: port {@code http} 8000 to the pods' {@code http} port. */
  public static Service desired(LLMDeployment llmd) {
    String name = llmd.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(WorkerDeploymentModel.metadata(llmd, ResourceNames.service(name)))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(WorkerPods.scalesToZero(llmd) ? null : WorkerLabels.selector(name))
        .addNewPort()
        .withName(CairnNames.PORT_NAME)
        .withPort(CairnNames.PORT)
        .withTargetPort(new IntOrString(CairnNames.PORT_NAME))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
