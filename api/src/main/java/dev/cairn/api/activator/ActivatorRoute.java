package dev.cairn.api.activator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One deployment's entry in the route table the operator writes and the activator reads: the port
 * the activator serves it on (so a request's port says which deployment it is for, whatever model
 * id it names), the queue bounds, and the ready worker endpoints to forward to.
 *
 * @param namespace the LLMDeployment's namespace
 * @param deployment the LLMDeployment's name
 * @param port the activator port its EndpointSlice points at while it has no ready replica
 * @param queueSize most requests held at once
 * @param timeoutSeconds longest a request is held
 * @param targets ready worker endpoints as {@code host:port}; empty while none is ready
 */
public record ActivatorRoute(
    String namespace,
    String deployment,
    int port,
    int queueSize,
    int timeoutSeconds,
    List<String> targets) {
  /** The ConfigMap holding the table, in the operator's (and activator's) namespace. */
  public static final String CONFIGMAP = "cairn-activator-routes";

  /** The activator's app label value, by which the operator finds its pods. */
  public static final String APP_NAME = "cairn-activator";

  /** The activator's /metrics and health port. */
  public static final int METRICS_PORT = 9090;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the target list. */
  public ActivatorRoute {
    targets = List.copyOf(targets);
  }

  /**
   * The ConfigMap key of a deployment: {@code namespace.name}. Unambiguous, as a namespace (a DNS
   * label) holds no dot; both parts are valid ConfigMap key characters.
   */
  public static String key(String namespace, String deployment) {
    return namespace + "." + deployment;
  }

  /** This route's ConfigMap key. */
  public String key() {
    return key(namespace, deployment);
  }

  /** The same route with other targets. */
  public ActivatorRoute withTargets(List<String> newTargets) {
    return new ActivatorRoute(namespace, deployment, port, queueSize, timeoutSeconds, newTargets);
  }

  /** The ConfigMap value. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("route not serializable: " + e.getMessage(), e);
    }
  }

  /** Parses a ConfigMap value. */
  public static ActivatorRoute fromJson(String json) throws JsonProcessingException {
    return JSON.readValue(json, ActivatorRoute.class);
  }

  /** Parses every entry of the ConfigMap's data, skipping none: a bad entry is an error. */
  public static Map<String, ActivatorRoute> table(Map<String, String> data)
      throws JsonProcessingException {
    Map<String, ActivatorRoute> routes = new TreeMap<>();
    if (data != null) {
      for (var e : data.entrySet()) {
        routes.put(e.getKey(), fromJson(e.getValue()));
      }
    }
    return routes;
  }
}
