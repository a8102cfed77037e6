package dev.cairn.worker.server;

import dev.cairn.worker.lora.AdapterLease;

/**
 * A prepared request with the lease on its LoRA adapter that keeps the adapter loaded until the job
 * has taken one lease per engine request (then close this one).
 *
 * @param request the encoded request
 * @param adapter the adapter's lease, or null for the base model
 * @param modelName the model the client asked for (the adapter's name for an adapter): the
 *     response's {@code model} and the metrics' {@code model_name}
 */
record AdapterJob(PreparedRequest request, AdapterLease adapter, String modelName)
    implements AutoCloseable {

  /** Resolves the adapter (loading a dynamic one), then prepares the prompts. Blocking. */
  static AdapterJob prepare(OpenAiRequest req, ServedModel model) {
    AdapterLease lease = AdapterRouting.lease(req.model(), model);
    try {
      PreparedRequest prepared = PromptPreparer.prepare(req, model);
      return new AdapterJob(prepared, lease, lease == null ? model.id() : lease.name());
    } catch (RuntimeException e) {
      if (lease != null) {
        lease.close();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    if (adapter != null) {
      adapter.close();
    }
  }
}
