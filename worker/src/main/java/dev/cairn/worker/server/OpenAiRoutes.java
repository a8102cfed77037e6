package dev.cairn.worker.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The OpenAI-compatible API on a Vert.x router: {@code GET /v1/models[/{id}]}, {@code POST
 * /v1/completions} and {@code POST /v1/chat/completions}, with API-key checks, a readiness gate
 * (503 while loading or draining), service metrics and OpenAI-format errors for every failure,
 * unknown routes included.
 */
public final class OpenAiRoutes {
  /** Largest accepted request body; a full 128k-token context as JSON fits comfortably. */
  static final long BODY_LIMIT_BYTES = 16L * 1024 * 1024;

  private static final String TRACKER = "cairn.tracker";
  private static final String ARRIVAL = "cairn.arrival";

  private final WorkerState state;
  private final ServiceMetrics metrics;
  private final Optional<String> apiKey;
  private final LongSupplier epochSeconds;

  /**
   * @param apiKey when present, {@code /v1/*} demands it as a bearer token
   * @param epochSeconds wall clock for the {@code created} fields
   */
  public OpenAiRoutes(
      WorkerState state,
      ServiceMetrics metrics,
      Optional<String> apiKey,
      LongSupplier epochSeconds) {
    this.state = state;
    this.metrics = metrics;
    this.apiKey = apiKey;
    this.epochSeconds = epochSeconds;
  }

  /** Adds the routes; the handlers run on the event loop and never block it. */
  public void install(Router router) {
    track(router, HttpMethod.GET, Endpoint.MODELS);
    track(router, HttpMethod.POST, Endpoint.COMPLETIONS);
    track(router, HttpMethod.POST, Endpoint.CHAT_COMPLETIONS);
    apiKey.ifPresent(key -> router.route("/v1/*").order(-90).handler(new ApiKeyAuth(key)::handle));
    router.route("/v1/*").order(-80).handler(this::requireReady);
    // On every method: a method-specific route here would turn unknown /v1 paths into 405s.
    router
        .route("/v1/*")
        .order(-70)
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES));
    router.get(Endpoint.MODELS.path()).handler(this::models);
    // A regex: Hugging Face ids carry a slash (Qwen/Qwen2.5-0.5B-Instruct).
    router.getWithRegex("/v1/models/(?<model>.+)").handler(this::model);
    new LoraRoutes(state).install(router);
    router.post(Endpoint.COMPLETIONS.path()).handler(ctx -> generate(Endpoint.COMPLETIONS, ctx));
    router
        .post(Endpoint.CHAT_COMPLETIONS.path())
        .handler(ctx -> generate(Endpoint.CHAT_COMPLETIONS, ctx));
    router.route("/v1/*").failureHandler(OpenAiRoutes::failure);
    router.errorHandler(404, ctx -> notFound(ctx));
    router.errorHandler(
        405,
        ctx ->
            ApiErrors.send(
                ctx,
                new ApiException(
                    405,
                    "invalid_request_error",
                    null,
                    "Method "
                        + ctx.request().method()
                        + " is not allowed on "
                        + ctx.normalizedPath())));
  }

  /** Starts the endpoint's metrics; the end handler records the status unless the job did. */
  private void track(Router router, HttpMethod method, Endpoint endpoint) {
    router
        .route(method, endpoint.path())
        .order(-100)
        .handler(
            ctx -> {
              ctx.put(ARRIVAL, System.nanoTime());
              ServiceMetrics.Tracker tracker = metrics.begin(endpoint);
              ctx.put(TRACKER, tracker);
              ctx.addEndHandler(
                  ar ->
                      tracker.finish(
                          ar.succeeded()
                              ? ctx.response().getStatusCode()
                              : ServiceMetrics.CLIENT_CLOSED));
              ctx.next();
            });
  }

  private void requireReady(RoutingContext ctx) {
    ServiceMetrics.Tracker tracker = ctx.get(TRACKER);
    if (state.phase() != WorkerState.Phase.READY && tracker != null) {
      tracker.rejected(ServiceMetrics.REJECTED_NOT_READY);
    }
    switch (state.phase()) {
      case READY -> ctx.next();
      case LOADING ->
          ctx.fail(
              ApiException.unavailable(
                  "The model is loading ("
                      + Math.round(state.progress() * 100)
                      + "%: "
                      + state.detail()
                      + "); retry later"));
      case FAILED ->
          ctx.fail(ApiException.unavailable("The model could not be loaded: " + state.failure()));
      case DRAINING ->
          ctx.fail(
              ApiException.unavailable("The server is shutting down; retry on another replica"));
    }
  }

  private void models(RoutingContext ctx) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("object", "list");
    ServedModel model = state.model().orElseThrow();
    var data = root.putArray("data");
    data.add(modelEntry(model));
    if (model.adapters() != null) {
      model.adapters().names().forEach(name -> data.add(adapterEntry(model, name)));
    }
    ctx.response().putHeader("Content-Type", "application/json").end(root.toString());
  }

  /** OpenAI's {@code models.retrieve}: the model or a loaded adapter, else a 404. */
  private void model(RoutingContext ctx) {
    ServedModel model = state.model().orElseThrow();
    String id = ctx.pathParam("model");
    String adapter = AdapterRouting.adapterName(id, model.id());
    ObjectNode entry;
    if (adapter == null) {
      entry = modelEntry(model);
    } else if (model.adapters() != null && model.adapters().origin(adapter).isPresent()) {
      entry = adapterEntry(model, adapter);
    } else {
      throw ApiException.modelNotFound(id);
    }
    ctx.response().putHeader("Content-Type", "application/json").end(entry.toString());
  }

  /** A LoRA adapter as vLLM lists it: its own id, {@code parent} the base model. */
  private static ObjectNode adapterEntry(ServedModel model, String name) {
    ObjectNode entry = modelEntry(model);
    entry.put("id", name);
    entry.put("root", name);
    entry.put("parent", model.id());
    return entry;
  }

  private static ObjectNode modelEntry(ServedModel model) {
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.put("id", model.id());
    entry.put("object", "model");
    entry.put("created", model.createdEpochSeconds());
    entry.put("owned_by", "cairn");
    entry.put("root", model.id());
    entry.put("max_model_len", model.maxModelLen());
    entry.putNull("parent");
    return entry;
  }

  private void generate(Endpoint endpoint, RoutingContext ctx) {
    ServedModel model = state.model().orElseThrow();
    OpenAiRequest request = RequestParser.parse(endpoint, ctx.body().asString(), model.defaults());
    ServiceMetrics.Tracker tracker = ctx.get(TRACKER);
    long arrival = ctx.get(ARRIVAL);
    String id = ResponseFormat.idPrefix(endpoint) + UUID.randomUUID().toString().replace("-", "");
    GenerationJob[] job = new GenerationJob[1];
    boolean[] gone = new boolean[1];
    ctx.response()
        .closeHandler(
            v -> {
              gone[0] = true;
              if (job[0] != null) {
                job[0].clientGone();
              } else {
                tracker.finish(ServiceMetrics.CLIENT_CLOSED);
              }
            });
    ctx.vertx()
        .executeBlocking(() -> AdapterJob.prepare(request, model), false)
        .onComplete(
            ar -> {
              if (gone[0]) {
                if (ar.succeeded()) {
                  ar.result().close();
                }
                return;
              }
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              AdapterJob prepared = ar.result();
              tracker.model(prepared.modelName());
              job[0] =
                  new GenerationJob(
                      prepared.request(),
                      model,
                      ctx,
                      tracker,
                      id,
                      arrival,
                      epochSeconds.getAsLong(),
                      prepared.adapter());
              try {
                job[0].start();
              } finally {
                prepared.close();
              }
            });
  }

  private static void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    ApiException e;
    if (t != null) {
      e = ApiErrors.of(t);
    } else if (ctx.statusCode() == 413) {
      e =
          new ApiException(
              413,
              "invalid_request_error",
              null,
              "The request body exceeds " + BODY_LIMIT_BYTES + " bytes");
    } else {
      int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
      e =
          new ApiException(
              status,
              status >= 500 ? "server_error" : "invalid_request_error",
              null,
              "Request failed with HTTP status " + status);
    }
    ApiErrors.send(ctx, e);
  }

  private static void notFound(RoutingContext ctx) {
    ApiErrors.send(
        ctx,
        new ApiException(
            404,
            "not_found_error",
            null,
            "No route for " + ctx.request().method() + " " + ctx.normalizedPath()));
  }
}
