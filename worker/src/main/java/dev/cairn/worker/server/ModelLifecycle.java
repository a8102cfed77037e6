package dev.cairn.worker.server;

import dev.cairn.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Loads the model in the background at startup, so health and metrics answer while it loads, and
 * drains on shutdown: readiness drops and new {@code /v1} requests get 503 as soon as SIGTERM
 * arrives; Quarkus' graceful shutdown then waits for in-flight requests ({@code
 * quarkus.shutdown.timeout}); the engine is drained and closed last.
 */
@ApplicationScoped
public class ModelLifecycle {
  private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);

  private final WorkerConfig config;
  private final WorkerState state;
  private final Instance<ModelLoader> loaders;
  private final Duration drainTimeout;

  ModelLifecycle(
      WorkerConfig config,
      WorkerState state,
      Instance<ModelLoader> loaders,
      @ConfigProperty(name = "cairn.engine-drain-timeout", defaultValue = "5s")
          Duration drainTimeout) {
    this.config = config;
    this.state = state;
    this.loaders = loaders;
    this.drainTimeout = drainTimeout;
  }

  void onStart(@Observes StartupEvent event) {
    LOG.infof(
        "Serving model %s from %s (config: %s)",
        config.modelId(), config.modelSource(), config.origin());
    Thread.ofPlatform().name("cairn-model-loader").daemon().start(this::load);
  }

  private void load() {
    if (!loaders.isResolvable()) {
      String why =
          loaders.isUnsatisfied()
              ? "no ModelLoader is installed in this build"
              : "more than one ModelLoader is installed";
      LOG.error("Cannot load the model: " + why);
      state.failed(why);
      return;
    }
    load(loaders.get(), config, state);
  }

  /** Runs the loader and records the outcome in {@code state}; never throws. */
  static void load(ModelLoader loader, WorkerConfig config, WorkerState state) {
    try {
      ServedModel model = loader.load(config, state);
      state.ready(model);
      LOG.infof("Model %s loaded; max_model_len %d", model.id(), model.maxModelLen());
    } catch (Exception | LinkageError e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.error("Model " + config.modelId() + " failed to load: " + reason, e);
      state.failed(reason);
    }
  }

  /** SIGTERM with the shutdown delay on: stop taking work while the endpoints update. */
  void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
    LOG.info("Shutdown: draining; readiness is false and new requests get 503");
    state.draining();
  }

  void onStop(@Observes ShutdownEvent event) {
    stop(state, drainTimeout.toMillis());
  }

  /** Drains: no new work, running requests get {@code drainMillis} to finish; then closes. */
  static void stop(WorkerState state, long drainMillis) {
    state.draining();
    state
        .model()
        .ifPresent(
            model -> {
              model.engine().drain(drainMillis);
              model.engine().close();
              model.tokenizer().close();
            });
  }
}
