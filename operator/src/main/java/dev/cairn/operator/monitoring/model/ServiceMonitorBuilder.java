package dev.cairn.operator.monitoring.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.MetricNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.ServiceMonitorSpec;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Prometheus Operator ServiceMonitor that scrapes an LLMDeployment's workers. Untyped
 * (GenericKubernetesResource): the operator has no client model for monitoring.coreos.com.
 */
public final class ServiceMonitorBuilder {
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "ServiceMonitor";

  /** Kubernetes service discovery exposes the Service's labels under this prefix. */
  static final String SERVICE_INSTANCE_META_LABEL =
      "__meta_kubernetes_service_label_app_kubernetes_io_instance";

  static final String POD_NAME_META_LABEL = "__meta_kubernetes_pod_name";

  private ServiceMonitorBuilder() {}

  /** The desired ServiceMonitor; a pure function of the resource. */
  public static GenericKubernetesResource build(LLMDeployment llmd) {
    ServiceMonitorSpec sm = MonitoringMetadata.monitoring(llmd).getServiceMonitor();
    if (sm == null) {
      sm = new ServiceMonitorSpec();
    }
    String name = MonitoringMetadata.name(llmd);
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion(API_VERSION);
    resource.setKind(KIND);
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(ResourceNames.serviceMonitor(name))
            .withNamespace(MonitoringMetadata.namespace(llmd))
            .withLabels(MonitoringMetadata.labels(llmd, sm.getLabels()))
            .withOwnerReferences(MonitoringMetadata.ownerReference(llmd))
            .build());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("selector", Map.of("matchLabels", MonitoringMetadata.workerServiceSelector(llmd)));
    spec.put("endpoints", List.of(endpoint(sm)));
    if (WorkerPods.scalesToZero(llmd)) {
      // Such a Service has no selector and the operator writes its EndpointSlice; Kubernetes
      // mirrors Endpoints into EndpointSlices, never back, so the default Endpoints discovery
      // would find no target at all. A field of recent Prometheus Operator releases (the 0.93 CRD
      // the tests validate against has it); Prometheus needs list/watch on endpointslices.
      spec.put("serviceDiscoveryRole", "EndpointSlice");
    }
    resource.setAdditionalProperty("spec", spec);
    return resource;
  }

  private static Map<String, Object> endpoint(ServiceMonitorSpec sm) {
    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("port", CairnNames.PORT_NAME);
    endpoint.put("path", CairnNames.PATH_METRICS);
    endpoint.put("interval", sm.getInterval() != null ? sm.getInterval() : "15s");
    // Dashboards and alerts select by {namespace, deployment}: Prometheus Operator adds namespace
    // and pod, the deployment label comes from the Service's app.kubernetes.io/instance.
    endpoint.put(
        "relabelings",
        List.of(
            relabel(SERVICE_INSTANCE_META_LABEL, MetricNames.LABEL_DEPLOYMENT),
            relabel(POD_NAME_META_LABEL, "pod")));
    return endpoint;
  }

  private static Map<String, Object> relabel(String source, String target) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("sourceLabels", List.of(source));
    r.put("targetLabel", target);
    r.put("action", "replace");
    return r;
  }
}
