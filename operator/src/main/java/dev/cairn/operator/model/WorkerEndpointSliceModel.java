package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;

/**
 * The endpoints of a deployment that scales to zero, whose Service has no selector: its ready
 * worker pods while it has any, the activator's pods on the deployment's activator port otherwise
 * (a Service cannot select pods in another namespace, an EndpointSlice can list them).
 */
public final class WorkerEndpointSliceModel {
  /** Ties the slice to its Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** Tells the endpoint-slice controller the slice is someone else's to manage. */
  public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

  private WorkerEndpointSliceModel() {}

  /**
   * The desired slice.
   *
   * @param readyWorkers ready worker pods (with IPs), in a stable order
   * @param activatorIps ready activator pod IPs, used only when no worker is ready
   * @param activatorPort the port the activator serves this deployment on
   */
  public static EndpointSlice desired(
      LLMDeployment llmd, List<Pod> readyWorkers, List<String> activatorIps, int activatorPort) {
    String name = llmd.getMetadata().getName();
    ObjectMeta meta = WorkerDeploymentModel.metadata(llmd, ResourceNames.service(name));
    meta.getLabels().put(SERVICE_NAME_LABEL, ResourceNames.service(name));
    meta.getLabels().put(MANAGED_BY_LABEL, CairnNames.MANAGED_BY);
    boolean atZero = readyWorkers.isEmpty();
    List<Endpoint> endpoints =
        atZero
            ? activatorIps.stream().map(WorkerEndpointSliceModel::address).toList()
            : readyWorkers.stream().map(WorkerEndpointSliceModel::worker).toList();
    return new EndpointSliceBuilder()
        .withMetadata(meta)
        .withAddressType("IPv4")
        .withEndpoints(endpoints)
        .addNewPort()
        .withName(CairnNames.PORT_NAME)
        .withPort(atZero ? activatorPort : CairnNames.PORT)
        .withProtocol("TCP")
        .endPort()
        .build();
  }

  private static Endpoint address(String ip) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(true)
        .endConditions()
        .build();
  }

  private static Endpoint worker(Pod pod) {
    return new EndpointBuilder()
        .withAddresses(pod.getStatus().getPodIP())
        .withNewConditions()
        .withReady(true)
        .endConditions()
        .withTargetRef(
            new ObjectReferenceBuilder()
                .withKind("Pod")
                .withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .build())
        .build();
  }
}
