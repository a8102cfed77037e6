package dev.cairn.worker.server;

import dev.cairn.worker.config.WorkerConfig;

/**
 * Loads the configured model and starts its engine: the seam between the HTTP layer and the model
 * stack. The worker calls it once, on a background thread, at startup; health and metrics answer
 * meanwhile. A CDI bean implementing it is picked up by {@link ModelLifecycle}.
 */
public interface ModelLoader {
  /**
   * @throws Exception when the model cannot be loaded; the message is shown in {@code
   *     /health/started} and in 503 answers
   */
  ServedModel load(WorkerConfig config, LoadProgressListener progress) throws Exception;
}
