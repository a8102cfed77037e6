package dev.cairn.worker.server;

import dev.cairn.worker.config.WorkerConfig;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Installs the worker's routes on Quarkus' HTTP router. */
@ApplicationScoped
public class RouterSetup {
  @ConfigProperty(name = "cairn.http.body-read-timeout", defaultValue = "60s")
  Duration bodyReadTimeout;

  void install(
      @Observes Router router, WorkerState state, ServiceMetrics metrics, WorkerConfig config) {
    RequestSizeLimits.install(router);
    new SlowClientGuard(bodyReadTimeout).install(router);
    new HealthRoutes(state).install(router);
    new OpenAiRoutes(state, metrics, config.apiKey(), () -> System.currentTimeMillis() / 1000)
        .install(router);
  }
}
