package dev.cairn.activator;

import dev.cairn.api.activator.ActivatorRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs the activator in its pod: {@code CAIRN_ACTIVATOR_NAMESPACE} (the downward API's namespace,
 * where the operator writes the route table), {@code CAIRN_ACTIVATOR_HOST} (default 0.0.0.0) and
 * {@code CAIRN_ACTIVATOR_METRICS_PORT} (default 9090).
 */
public final class Main {
  private static final Logger LOG = Logger.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    String namespace = env("CAIRN_ACTIVATOR_NAMESPACE", "cairn-system");
    String host = env("CAIRN_ACTIVATOR_HOST", "0.0.0.0");
    int metricsPort =
        Integer.parseInt(
            env("CAIRN_ACTIVATOR_METRICS_PORT", Integer.toString(ActivatorRoute.METRICS_PORT)));
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Activator activator = new Activator(vertx, registry, host);
    activator
        .start(metricsPort)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    KubernetesClient client = new KubernetesClientBuilder().build();
    RouteWatcher watcher = new RouteWatcher(client, namespace, activator);
    LOG.infof(
        "cairn-activator: metrics on %s:%d, routes from %s/%s",
        host, metricsPort, namespace, ActivatorRoute.CONFIGMAP);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  watcher.close();
                  activator.close();
                  client.close();
                  vertx.close();
                }));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
