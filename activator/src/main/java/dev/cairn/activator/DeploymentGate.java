package dev.cairn.activator;

import dev.cairn.api.activator.ActivatorRoute;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One deployment's port on the activator: requests arriving while it has no ready replica are held
 * (bounded in number and time), and forwarded once the operator reports ready endpoints. A request
 * arriving while endpoints are known goes straight through (the Service's endpoints lag the
 * operator's switch by a moment). {@code GET /metrics} answers this deployment's activator series:
 * at zero the deployment's ServiceMonitor scrapes this port.
 */
final class DeploymentGate {
  private static final Logger LOG = Logger.getLogger(DeploymentGate.class);

  /** A held request: its body, its arrival and its timeout timer. */
  private record Held(HttpServerRequest request, Buffer body, long arrivedNanos, long[] timer) {}

  private final Vertx vertx;
  private final Forwarder forwarder;
  private final HeldQueue<Held> queue;
  private final ActivatorMetrics.Deployment metrics;
  private final AtomicLong next = new AtomicLong();
  private final Supplier<String> scrape;
  private volatile ActivatorRoute route;
  private HttpServer server;
  private Context context;

  DeploymentGate(
      Vertx vertx,
      Forwarder forwarder,
      ActivatorRoute route,
      ActivatorMetrics metrics,
      Supplier<String> scrape) {
    this.vertx = vertx;
    this.scrape = scrape;
    this.forwarder = forwarder;
    this.route = route;
    this.queue = new HeldQueue<>(route.queueSize());
    this.metrics = metrics.forDeployment(route.namespace(), route.deployment(), queue::size);
  }

  /** Starts listening on the route's port. */
  Future<HttpServer> listen(String host) {
    // One context for the server, its timers and releases: queue and responses stay on one thread.
    context = vertx.getOrCreateContext();
    Promise<HttpServer> listening = Promise.promise();
    context.runOnContext(
        v -> {
          server = vertx.createHttpServer().requestHandler(this::arrived);
          server.listen(route.port(), host).onComplete(listening);
        });
    return listening.future();
  }

  /** How many requests are held now. */
  int held() {
    return queue.size();
  }

  /** Applies a changed route: new bounds, and ready endpoints release what is held. */
  void update(ActivatorRoute changed) {
    route = changed;
    queue.capacity(changed.queueSize());
    if (!changed.targets().isEmpty()) {
      context.runOnContext(v -> release(changed.targets()));
    }
  }

  /** Stops listening; what is still held gets 503, as its deployment is gone. */
  Future<Void> close() {
    for (Held h : queue.drain()) {
      vertx.cancelTimer(h.timer()[0]);
      OpenAiErrors.queueFull(h.request().response(), 1);
    }
    metrics.remove();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void arrived(HttpServerRequest request) {
    long arrived = System.nanoTime();
    if (request.method() == HttpMethod.GET && "/metrics".equals(request.path())) {
      request.response().putHeader("Content-Type", DeploymentScrape.CONTENT_TYPE).end(scrape.get());
      return;
    }
    request
        .body()
        .onSuccess(body -> admit(request, body, arrived))
        .onFailure(e -> LOG.debugf("request body not read: %s", e.getMessage()));
  }

  private void admit(HttpServerRequest request, Buffer body, long arrived) {
    ActivatorRoute r = route;
    if (!r.targets().isEmpty() && queue.isEmpty()) {
      forwarder.forward(request, body, pick(r.targets()), t -> {});
      return;
    }
    Held held = new Held(request, body, arrived, new long[1]);
    if (!queue.offer(held)) {
      metrics.rejected(ActivatorMetrics.Rejection.QUEUE_FULL);
      OpenAiErrors.queueFull(request.response(), 1);
      return;
    }
    held.timer()[0] = vertx.setTimer(r.timeoutSeconds() * 1000L, id -> timeOut(held));
    request.response().closeHandler(v -> gone(held));
    // Endpoints may have arrived between the check and the offer: release now, not never.
    List<String> targets = route.targets();
    if (!targets.isEmpty()) {
      release(targets);
    }
  }

  private void timeOut(Held held) {
    if (queue.remove(held)) {
      metrics.rejected(ActivatorMetrics.Rejection.TIMEOUT);
      OpenAiErrors.timedOut(held.request().response(), route.timeoutSeconds());
    }
  }

  private void gone(Held held) {
    if (queue.remove(held)) {
      vertx.cancelTimer(held.timer()[0]);
    }
  }

  private void release(List<String> targets) {
    for (Held h : queue.drain()) {
      vertx.cancelTimer(h.timer()[0]);
      forwarder.forward(
          h.request(), h.body(), pick(targets), at -> metrics.coldStart(at - h.arrivedNanos()));
    }
  }

  private String pick(List<String> targets) {
    return targets.get((int) (next.getAndIncrement() % targets.size()));
  }
}
