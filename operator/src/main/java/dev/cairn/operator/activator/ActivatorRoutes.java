package dev.cairn.operator.activator;

import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.ScaleFromZeroSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The route table the activator follows ({@link ActivatorRoute#CONFIGMAP} in the operator's
 * namespace): one entry per deployment that scales to zero, with its activator port and ready
 * endpoints. Edits go through {@link RouteTable} and are written only on change. Serialized:
 * reconciles run in parallel and share one ConfigMap.
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
   * table and returns it.
   *
   * @throws IllegalStateException when every port of the range is taken
   */
  public synchronized ActivatorRoute register(LLMDeployment llmd, List<String> targets) {
    ScaleFromZeroSpec z = llmd.getSpec().getAutoscaling().effectiveScaleFromZero();
    Loaded loaded = load();
    ActivatorRoute route =
        loaded
            .table()
            .put(
                llmd.getMetadata().getNamespace(),
                llmd.getMetadata().getName(),
                z.effectiveQueueSize(),
                z.effectiveTimeoutSeconds(),
                targets);
    save(loaded);
    return route;
  }

  /** Drops a deployment's entry (it no longer scales to zero, or is gone). */
  public synchronized void remove(String deploymentNamespace, String name) {
    if (known != null && !known.contains(ActivatorRoute.key(deploymentNamespace, name))) {
      return;
    }
    Loaded loaded = load();
    loaded.table().remove(deploymentNamespace, name);
    save(loaded);
  }

  /** Keeps the entries whose keys {@code keep} returns, given the keys in the table now. */
  public synchronized void retain(UnaryOperator<Set<String>> keep) {
    Loaded loaded = load();
    loaded.table().retain(keep.apply(loaded.table().keys()));
    save(loaded);
  }

  // The keys last read or written; this operator is the table's only writer, so a deployment
  // missing here has no entry and a reconcile of it need not read the ConfigMap.
  private Set<String> known;

  private record Loaded(ConfigMap cm, RouteTable table) {}

  private Loaded load() {
    ConfigMap cm = current();
    RouteTable table = new RouteTable(cm.getData(), portBase, portCount);
    known = table.keys();
    return new Loaded(cm, table);
  }

  private void save(Loaded loaded) {
    if (!loaded.table().changed()) {
      return;
    }
    ConfigMap cm = loaded.cm();
    cm.setData(loaded.table().data());
    var resource = client.configMaps().inNamespace(namespace).resource(cm);
    // The resourceVersion makes a concurrent writer (a second operator) fail instead of clobber.
    if (cm.getMetadata().getResourceVersion() == null) {
      resource.create();
    } else {
      resource.update();
    }
    known = loaded.table().keys();
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
}
