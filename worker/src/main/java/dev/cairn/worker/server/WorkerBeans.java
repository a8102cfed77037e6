package dev.cairn.worker.server;

import dev.cairn.worker.config.ConfigLoader;
import dev.cairn.worker.config.WorkerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** CDI producers for the worker's configuration, state and service metrics. */
@Singleton
public class WorkerBeans {
  /** Set by {@code Main} from {@code --config FILE}; tests set it in their profile. */
  public static final String CONFIG_FILE_PROPERTY = "cairn.config-file";

  @Produces
  @Singleton
  WorkerConfig config(@ConfigProperty(name = CONFIG_FILE_PROPERTY) Optional<String> file) {
    return new ConfigLoader(System.getenv()).load(file.map(Path::of));
  }

  @Produces
  @Singleton
  WorkerState state() {
    return new WorkerState();
  }

  @Produces
  @Singleton
  ServiceMetrics metrics(MeterRegistry registry, WorkerConfig config, WorkerState state) {
    return new ServiceMetrics(
        registry, config.modelId(), config.apiKeys().names(), state, System::nanoTime);
  }
}
