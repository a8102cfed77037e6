package dev.cairn.operator.testing;

import static dev.cairn.operator.testing.RelabelRules.fixed;
import static dev.cairn.operator.testing.RelabelRules.rule;
import static dev.cairn.operator.testing.RelabelRules.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.testing.PrometheusProcess.ScrapeJob;
import dev.cairn.worker.testing.PrometheusProcess.TargetGroup;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scrape job Prometheus Operator generates for a PodMonitor's first endpoint, as a static job:
 * each target carries the {@code __meta_kubernetes_pod_*} labels Kubernetes pod discovery would
 * give it, and the job relabels them as Prometheus Operator does (keep the selected pods and the
 * named container port; namespace/container/pod/job/endpoint labels). The PodMonitor counterpart of
 * {@link ServiceMonitorScrape}.
 */
public final class PodMonitorScrape {
  /** A pod the PodMonitor may select, and the host:port Prometheus should reach it on. */
  public record Target(Pod pod, String address) {}

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private PodMonitorScrape() {}

  /**
   * The job for {@code podMonitor} (any object with the PodMonitor's shape, e.g. one of
   * deploy/monitoring) over {@code targets}; {@code interval} overrides the endpoint's when not
   * null (tests need seconds where a cluster uses 15 s).
   */
  public static ScrapeJob job(Object podMonitor, List<Target> targets, String interval) {
    JsonNode pm = JSON.convertValue(podMonitor, JsonNode.class);
    JsonNode endpoint = pm.at("/spec/podMetricsEndpoints/0");
    String port = endpoint.path("port").asText();
    String monitorNamespace = pm.at("/metadata/namespace").asText();
    String monitorName = pm.at("/metadata/name").asText();

    List<TargetGroup> groups = new ArrayList<>();
    for (Target t : targets) {
      Pod pod = t.pod();
      Container container = containerWithPort(pod, port);
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("__meta_kubernetes_namespace", pod.getMetadata().getNamespace());
      meta.put("__meta_kubernetes_pod_name", pod.getMetadata().getName());
      pod.getMetadata()
          .getLabels()
          .forEach((k, v) -> meta.put("__meta_kubernetes_pod_label_" + sanitize(k), v));
      meta.put("__meta_kubernetes_pod_container_name", container.getName());
      meta.put("__meta_kubernetes_pod_container_port_name", port);
      groups.add(new TargetGroup(List.of(t.address()), meta));
    }

    List<Map<String, Object>> relabel = new ArrayList<>();
    pm.at("/spec/selector/matchLabels")
        .properties()
        .forEach(
            l ->
                relabel.add(
                    rule(
                        "keep",
                        "__meta_kubernetes_pod_label_" + sanitize(l.getKey()),
                        l.getValue().asText(),
                        null)));
    relabel.add(rule("keep", "__meta_kubernetes_pod_container_port_name", port, null));
    relabel.add(rule("replace", "__meta_kubernetes_namespace", null, "namespace"));
    relabel.add(rule("replace", "__meta_kubernetes_pod_container_name", null, "container"));
    relabel.add(rule("replace", "__meta_kubernetes_pod_name", null, "pod"));
    relabel.add(fixed("job", monitorNamespace + "/" + monitorName));
    relabel.add(fixed("endpoint", port));

    return new ScrapeJob(
        "podMonitor/%s/%s/0".formatted(monitorNamespace, monitorName),
        groups,
        endpoint.path("path").asText("/metrics"),
        endpoint.path("honorLabels").asBoolean(false),
        interval != null ? interval : endpoint.path("interval").asText(null),
        relabel);
  }

  private static Container containerWithPort(Pod pod, String port) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getPorts().stream().map(ContainerPort::getName).anyMatch(port::equals))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "pod " + pod.getMetadata().getName() + " has no container port named " + port));
  }
}
