package dev.cairn.operator.testing;

import static dev.cairn.operator.testing.RelabelRules.rule;
import static dev.cairn.operator.testing.RelabelRules.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.testing.PrometheusProcess.ScrapeJob;
import dev.cairn.worker.testing.PrometheusProcess.TargetGroup;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scrape job Prometheus Operator generates for a ServiceMonitor's first endpoint, as a static
 * job: each target carries the {@code __meta_kubernetes_*} labels Kubernetes endpoints discovery
 * would give it, and the job relabels them as Prometheus Operator does (keep the selected Service
 * and port, namespace/service/pod/container/endpoint/job labels) followed by the ServiceMonitor's
 * own relabelings. So a test scrapes real processes with what a cluster would apply, selector and
 * relabelling included, without a cluster.
 */
public final class ServiceMonitorScrape {
  /** A pod behind the Service: its name, container and the host:port Prometheus should reach. */
  public record Endpoint(String podName, String container, String address) {}

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private ServiceMonitorScrape() {}

  /**
   * The job for {@code serviceMonitor} (any object with the ServiceMonitor's shape) scraping {@code
   * endpoints} of {@code service}; {@code interval} overrides the endpoint's when not null (tests
   * need seconds where a cluster uses 15 s).
   */
  public static ScrapeJob job(
      Object serviceMonitor, Service service, List<Endpoint> endpoints, String interval) {
    JsonNode sm = JSON.convertValue(serviceMonitor, JsonNode.class);
    JsonNode endpoint = sm.at("/spec/endpoints/0");
    String port = endpoint.path("port").asText();
    if (service.getSpec().getPorts().stream().noneMatch(p -> port.equals(p.getName()))) {
      throw new IllegalArgumentException(
          "service " + service.getMetadata().getName() + " has no port named " + port);
    }
    String namespace = service.getMetadata().getNamespace();
    String jobName =
        "serviceMonitor/%s/%s/0".formatted(namespace, sm.at("/metadata/name").asText());

    List<TargetGroup> groups = new ArrayList<>();
    for (Endpoint e : endpoints) {
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("__meta_kubernetes_namespace", namespace);
      meta.put("__meta_kubernetes_service_name", service.getMetadata().getName());
      service
          .getMetadata()
          .getLabels()
          .forEach((k, v) -> meta.put("__meta_kubernetes_service_label_" + sanitize(k), v));
      meta.put("__meta_kubernetes_pod_name", e.podName());
      meta.put("__meta_kubernetes_pod_container_name", e.container());
      meta.put("__meta_kubernetes_endpoint_port_name", port);
      groups.add(new TargetGroup(List.of(e.address()), meta));
    }

    List<Map<String, Object>> relabel = new ArrayList<>();
    sm.at("/spec/selector/matchLabels")
        .properties()
        .forEach(
            l ->
                relabel.add(
                    rule(
                        "keep",
                        "__meta_kubernetes_service_label_" + sanitize(l.getKey()),
                        l.getValue().asText(),
                        null)));
    relabel.add(rule("keep", "__meta_kubernetes_endpoint_port_name", port, null));
    relabel.add(rule("replace", "__meta_kubernetes_namespace", null, "namespace"));
    relabel.add(rule("replace", "__meta_kubernetes_service_name", null, "service"));
    relabel.add(rule("replace", "__meta_kubernetes_pod_name", null, "pod"));
    relabel.add(rule("replace", "__meta_kubernetes_pod_container_name", null, "container"));
    relabel.add(rule("replace", "__meta_kubernetes_service_name", null, "job"));
    Map<String, Object> endpointLabel = new LinkedHashMap<>();
    endpointLabel.put("target_label", "endpoint");
    endpointLabel.put("replacement", port);
    relabel.add(endpointLabel);
    for (JsonNode r : endpoint.path("relabelings")) {
      relabel.add(snakeCase(r));
    }

    return new ScrapeJob(
        jobName,
        groups,
        endpoint.path("path").asText("/metrics"),
        endpoint.path("honorLabels").asBoolean(false),
        interval != null ? interval : endpoint.path("interval").asText(null),
        relabel);
  }

  /** A ServiceMonitor RelabelConfig (camelCase) as prometheus.yml writes it. */
  private static Map<String, Object> snakeCase(JsonNode r) {
    Map<String, Object> out = new LinkedHashMap<>();
    r.properties()
        .forEach(
            f -> {
              String key = f.getKey().replaceAll("([A-Z])", "_$1").toLowerCase();
              out.put(key, JSON.convertValue(f.getValue(), Object.class));
            });
    return out;
  }
}
