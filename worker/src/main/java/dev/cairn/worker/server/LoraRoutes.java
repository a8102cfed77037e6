package dev.cairn.worker.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.lora.AdapterLoadException;
import dev.cairn.worker.lora.AdapterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.Set;

/**
 * vLLM's runtime adapter API: {@code POST /v1/load_lora_adapter} ({@code lora_name}, {@code
 * lora_path}) and {@code POST /v1/unload_lora_adapter} ({@code lora_name}), answering vLLM's plain
 * text on success. Off (404) unless spec.lora.runtimeUpdates is true; the API key and readiness
 * gate of {@code /v1/*} apply. Loading reads files or downloads, so it runs off the event loop.
 */
final class LoraRoutes {

  static final String LOAD = "/v1/load_lora_adapter";
  static final String UNLOAD = "/v1/unload_lora_adapter";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WorkerState state;

  LoraRoutes(WorkerState state) {
    this.state = state;
  }

  void install(Router router) {
    router.post(LOAD).handler(ctx -> run(ctx, true));
    router.post(UNLOAD).handler(ctx -> run(ctx, false));
  }

  private void run(RoutingContext ctx, boolean load) {
    AdapterRegistry registry = registry(ctx);
    ObjectNode body = body(ctx, load ? Set.of("lora_name", "lora_path") : Set.of("lora_name"));
    String name = JsonFields.string(body, "lora_name");
    String path = load ? JsonFields.string(body, "lora_path") : null;
    if (name == null || name.isEmpty() || (load && (path == null || path.isEmpty()))) {
      throw ApiException.badRequest(
          name == null || name.isEmpty() ? "lora_name" : "lora_path",
          load
              ? "Both 'lora_name' and 'lora_path' must be provided."
              : "'lora_name' needs to be provided to unload a LoRA adapter.");
    }
    ctx.vertx()
        .executeBlocking(
            () -> {
              if (load) {
                registry.load(name, path);
                return "Success: LoRA adapter '" + name + "' added successfully.";
              }
              registry.unload(name);
              return "Success: LoRA adapter '" + name + "' removed successfully.";
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                ctx.response().putHeader("Content-Type", "text/plain").end(ar.result());
              } else if (ar.cause() instanceof AdapterLoadException e) {
                ctx.fail(AdapterRouting.toApi(e, null, load ? "lora_path" : "lora_name"));
              } else {
                ctx.fail(ar.cause());
              }
            });
  }

  /** The registry, or 404 as if the route did not exist when runtime updates are off. */
  private AdapterRegistry registry(RoutingContext ctx) {
    AdapterRegistry registry = state.model().orElseThrow().adapters();
    if (registry == null || !registry.runtimeUpdatesEnabled()) {
      throw new ApiException(
          404,
          "not_found_error",
          null,
          "No route for POST "
              + ctx.normalizedPath()
              + ": runtime LoRA updates are off (spec.lora.runtimeUpdates)");
    }
    return registry;
  }

  private static ObjectNode body(RoutingContext ctx, Set<String> known) {
    String text = ctx.body().asString();
    ObjectNode body;
    try {
      if (text == null || !(JSON.readTree(text) instanceof ObjectNode o)) {
        throw ApiException.badRequest(null, "The request body must be a JSON object");
      }
      body = o;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(null, "The request body is not valid JSON");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw ApiException.badRequest(field, "Unsupported field '" + field + "'");
      }
    }
    return body;
  }
}
