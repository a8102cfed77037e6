package dev.cairn.worker.server;

import dev.cairn.worker.config.WorkerConfig;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Installs the worker's routes on Quarkus' HTTP router. */
@ApplicationScoped
public class RouterSetup {
  void install(
      @Observes Router router, WorkerState state, ServiceMetrics metrics, WorkerConfig config) {
    new HealthRoutes(state).install(router);
    new OpenAiRoutes(state, metrics, config.apiKey(), () -> System.currentTimeMillis() / 1000)
        .install(router);
  }
}
