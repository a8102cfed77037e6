package dev.cairn.operator.activator;

import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.ScaleFromZeroSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The route table the activator follows ({@link ActivatorRoute#CONFIGMAP} in the operator's
 * namespace): one entry per deployment that scales to zero, with its activator port and ready
 * endpoints. The table is also where ports are remembered, so they survive operator restarts: an
 * entry keeps its port, a new one takes the lowest free port of the range. Writes only on change.
 */
@ApplicationScoped
public class ActivatorRoutes {
  @Inject KubernetesClient client;

  @ConfigProperty(name = "cairn.activator.namespace", defaultValue = "cairn-system")
  String namespace;

  @ConfigProperty(name = "cairn.activator.port-base", defaultValue = "10000")
  int portBase;

  @ConfigProperty(name = "cairn.activator.port-count", defaultValue = "10000")
  int portCount;

  /** The namespace of the route table and the activator's pods. */
  public String namespace() {
    return namespace;
  }

  /**
   * Puts {@code llmd}'s entry with {@code targets} (ready workers as {@code host:port}) into the
   * table and returns it. Serialized: reconciles run in parallel and share one ConfigMap.
   *
   * @throws IllegalStateException when every port of the range is taken
   */
  public synchronized ActivatorRoute register(LLMDeployment llmd, List<String> targets) {
    ConfigMap cm = current();
    Map<String, String> data = cm.getData() == null ? new HashMap<>() : new HashMap<>(cm.getData());
    String ns = llmd.getMetadata().getNamespace();
    String name = llmd.getMetadata().getName();
    String key = ActivatorRoute.key(ns, name);
    ScaleFromZeroSpec z = llmd.getSpec().getAutoscaling().effectiveScaleFromZero();
    int port = existingPort(data.get(key)).orElseGet(() -> freePort(data));
    ActivatorRoute route =
        new ActivatorRoute(
            ns, name, port, z.effectiveQueueSize(), z.effectiveTimeoutSeconds(), targets);
    String json = route.toJson();
    if (!json.equals(data.get(key))) {
      data.put(key, json);
      write(cm, data);
    }
    return route;
  }

  /** Drops the entries whose key is not in {@code keep} (deleted or no longer at zero). */
  public synchronized void retain(Set<String> keep) {
    ConfigMap cm = current();
    if (cm.getData() == null || keep.containsAll(cm.getData().keySet())) {
      return;
    }
    Map<String, String> data = new HashMap<>(cm.getData());
    data.keySet().retainAll(keep);
    write(cm, data);
  }

  private ConfigMap current() {
    ConfigMap cm =
        client.configMaps().inNamespace(namespace).withName(ActivatorRoute.CONFIGMAP).get();
    return cm != null
        ? cm
        : new ConfigMapBuilder()
            .withNewMetadata()
            .withName(ActivatorRoute.CONFIGMAP)
            .withNamespace(namespace)
            .endMetadata()
            .build();
  }

  private void write(ConfigMap cm, Map<String, String> data) {
    cm.setData(data);
    var resource = client.configMaps().inNamespace(namespace).resource(cm);
    // The resourceVersion makes a concurrent writer (a second operator) fail instead of clobber.
    if (cm.getMetadata().getResourceVersion() == null) {
      resource.create();
    } else {
      resource.update();
    }
  }

  private static java.util.OptionalInt existingPort(String json) {
    if (json == null) {
      return java.util.OptionalInt.empty();
    }
    try {
      return java.util.OptionalInt.of(ActivatorRoute.fromJson(json).port());
    } catch (Exception e) {
      return java.util.OptionalInt.empty();
    }
  }

  private int freePort(Map<String, String> data) {
    Set<Integer> used = new HashSet<>();
    data.values().forEach(v -> existingPort(v).ifPresent(used::add));
    for (int p = portBase; p < portBase + portCount; p++) {
      if (!used.contains(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "every activator port of " + portBase + "+" + portCount + " is taken");
  }
}
