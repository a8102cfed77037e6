package dev.cairn.activator;

import dev.cairn.api.activator.ActivatorRoute;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Follows the operator's route table ({@link ActivatorRoute#CONFIGMAP}) with an informer and hands
 * each version to the {@link Activator}. A table that does not parse is logged and skipped: the
 * last good one stays in force.
 */
public final class RouteWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RouteWatcher.class);

  private final SharedIndexInformer<ConfigMap> informer;

  /** Starts watching the table in {@code namespace}. */
  public RouteWatcher(KubernetesClient client, String namespace, Activator activator) {
    informer =
        client
            .configMaps()
            .inNamespace(namespace)
            .withName(ActivatorRoute.CONFIGMAP)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ConfigMap cm) {
                    apply(activator, cm.getData());
                  }

                  @Override
                  public void onUpdate(ConfigMap before, ConfigMap after) {
                    apply(activator, after.getData());
                  }

                  @Override
                  public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                    apply(activator, Map.of());
                  }
                });
  }

  private static void apply(Activator activator, Map<String, String> data) {
    try {
      activator.apply(ActivatorRoute.table(data));
    } catch (Exception e) {
      LOG.errorf("route table %s not applied: %s", ActivatorRoute.CONFIGMAP, e.getMessage());
    }
  }

  @Override
  public void close() {
    informer.stop();
  }
}
