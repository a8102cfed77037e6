package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.CairnNames;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Kubernetes probes, open without an API key. {@code live}: the process serves (down only after a
 * failed load, so the kubelet restarts it); {@code ready}: loaded, engine running, not draining;
 * {@code started}: loaded, with the load progress the operator shows while it is not.
 */
public final class HealthRoutes {
  private final WorkerState state;

  public HealthRoutes(WorkerState state) {
    this.state = state;
  }

  public void install(Router router) {
    router
        .get(CairnNames.PATH_LIVE)
        .handler(ctx -> answer(ctx, state.phase() != WorkerState.Phase.FAILED));
    router.get(CairnNames.PATH_READY).handler(ctx -> answer(ctx, state.isReady()));
    router.get(CairnNames.PATH_STARTED).handler(ctx -> answer(ctx, state.isStarted()));
  }

  private void answer(RoutingContext ctx, boolean up) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("status", up ? "UP" : "DOWN");
    body.put("phase", state.phase().name().toLowerCase(java.util.Locale.ROOT));
    body.put("progress", state.progress());
    body.put("detail", state.detail());
    ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }
}
