package dev.cairn.worker.server;

import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.AdapterLoadException;

/**
 * Which LoRA adapter a request's {@code model} names: the base id (or no model) is the base model;
 * {@code <adapter>} (vLLM) or {@code <base id>:<adapter>} (Ray Serve) is an adapter, loaded from
 * the dynamic loading path on first use.
 */
final class AdapterRouting {
  private AdapterRouting() {}

  /** The adapter {@code requested} names, or null for the base model. */
  static String adapterName(String requested, String baseId) {
    if (requested == null || requested.equals(baseId)) {
      return null;
    }
    String prefix = baseId + ":";
    return requested.startsWith(prefix) ? requested.substring(prefix.length()) : requested;
  }

  /**
   * A lease on the adapter {@code requested} names, or null for the base model. May load a dynamic
   * adapter: call off the event loop.
   *
   * @throws ApiException 404 for a model that is neither the base nor a loadable adapter, 400 for a
   *     broken adapter, 503 when it cannot be loaded now
   */
  static AdapterLease lease(String requested, ServedModel model) {
    String name = adapterName(requested, model.id());
    if (name == null) {
      return null;
    }
    if (model.adapters() == null || name.isEmpty()) {
      throw ApiException.modelNotFound(requested);
    }
    try {
      return model.adapters().acquire(name);
    } catch (AdapterLoadException e) {
      throw toApi(e, requested, "model");
    }
  }

  /** The HTTP error for a failed adapter load; NOT_FOUND reads as OpenAI's unknown-model 404. */
  static ApiException toApi(AdapterLoadException e, String requested, String param) {
    return switch (e.reason()) {
      case NOT_FOUND ->
          requested == null
              ? new ApiException(404, "not_found_error", param, e.getMessage())
              : ApiException.modelNotFound(requested);
      case INVALID -> ApiException.badRequest(param, e.getMessage());
      case UNAVAILABLE -> ApiException.unavailable(e.getMessage());
    };
  }
}
