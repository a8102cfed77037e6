package dev.cairn.activator;

import dev.cairn.api.activator.ActivatorRoute;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/**
 * The activator: one {@link DeploymentGate} per routed deployment, each on its own port, plus
 * {@code /metrics} and {@code /healthz} on the metrics port. {@link #apply} brings the gates in
 * line with the operator's route table.
 */
public final class Activator implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Activator.class);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final ActivatorMetrics metrics;
  private final Forwarder forwarder;
  private final String host;
  private final Map<String, DeploymentGate> gates = new HashMap<>();
  private HttpServer metricsServer;

  /** An activator binding its ports on {@code host}; nothing listens before {@link #start}. */
  public Activator(Vertx vertx, PrometheusMeterRegistry registry, String host) {
    this.vertx = vertx;
    this.registry = registry;
    this.metrics = new ActivatorMetrics(registry);
    // Streams can outlive any fixed idle limit; the replica's own timeouts bound a request.
    this.forwarder = new Forwarder(vertx.createHttpClient(new HttpClientOptions()));
    this.host = host;
  }

  /** Serves {@code /metrics} and {@code /healthz} on {@code metricsPort}. */
  public Future<HttpServer> start(int metricsPort) {
    metricsServer =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if ("/metrics".equals(req.path())) {
                    req.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(registry.scrape());
                  } else if ("/healthz".equals(req.path())) {
                    req.response().end("ok");
                  } else {
                    req.response().setStatusCode(404).end();
                  }
                });
    return metricsServer.listen(metricsPort, host);
  }

  /**
   * Opens a gate for each new route, updates the changed ones (endpoints ready → held requests go)
   * and closes the removed ones. Completes when every new port listens.
   */
  public synchronized Future<Void> apply(Map<String, ActivatorRoute> table) {
    List<Future<?>> pending = new ArrayList<>();
    for (var it = gates.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!table.containsKey(e.getKey())) {
        LOG.infof("route %s removed", e.getKey());
        pending.add(e.getValue().close());
        it.remove();
      }
    }
    for (ActivatorRoute route : table.values()) {
      DeploymentGate gate = gates.get(route.key());
      if (gate != null) {
        gate.update(route);
        continue;
      }
      DeploymentGate opened =
          new DeploymentGate(
              vertx,
              forwarder,
              route,
              metrics,
              () -> DeploymentScrape.text(registry, route.namespace(), route.deployment()));
      gates.put(route.key(), opened);
      pending.add(
          opened
              .listen(host)
              .onSuccess(s -> LOG.infof("route %s on port %d", route.key(), route.port()))
              .onFailure(e -> LOG.errorf("route %s: port %d: %s", route.key(), route.port(), e)));
      opened.update(route);
    }
    return Future.all(pending).mapEmpty();
  }

  /** Requests held for a deployment now; empty when it has no route. */
  public synchronized OptionalInt held(String namespace, String deployment) {
    DeploymentGate gate = gates.get(ActivatorRoute.key(namespace, deployment));
    return gate == null ? OptionalInt.empty() : OptionalInt.of(gate.held());
  }

  @Override
  public synchronized void close() {
    gates.values().forEach(DeploymentGate::close);
    gates.clear();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
