package dev.cairn.operator.autoscaler;

import java.net.URI;
import java.util.Objects;

/** A ready worker pod to scrape: its name, pod IP and metrics port. */
public record ScrapeTarget(String podName, String podIp, int port) {

  /** Rejects targets that cannot form a URL, naming the pod. */
  public ScrapeTarget {
    Objects.requireNonNull(podName, "podName");
    if (podIp == null || podIp.isBlank()) {
      throw new IllegalArgumentException("pod " + podName + " has no IP to scrape");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("pod " + podName + " metrics port out of range: " + port);
    }
  }

  /** {@code http://<podIP>:<port>/metrics}, with IPv6 addresses bracketed. */
  public URI metricsUri() {
    String host = podIp.contains(":") && !podIp.startsWith("[") ? "[" + podIp + "]" : podIp;
    return URI.create("http://" + host + ":" + port + "/metrics");
  }
}
