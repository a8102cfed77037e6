package dev.cairn.worker;

import dev.cairn.worker.config.ConfigException;
import dev.cairn.worker.config.ConfigLoader;
import dev.cairn.worker.config.WorkerConfig;
import dev.cairn.worker.server.WorkerBeans;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The worker's entry point: {@code java -jar quarkus-run.jar [--config FILE]}. Checks the JVM
 * options and the configuration before the server starts, so a JVM without the Vector API, a bad
 * file or {@code CAIRN_CONFIG} fails fast with a message naming the flag or field, instead of a
 * half-started server.
 */
@QuarkusMain
public final class Main {
  static final String USAGE =
      "usage: cairn-worker [--config FILE]\n"
          + "  FILE: an LLMDeployment YAML; without it the spec comes from env CAIRN_CONFIG (JSON),"
          + " else the embedded tiny-cpu sample";

  Main() {}

  public static void main(String... args) {
    Optional<Path> file;
    try {
      file = configFile(args);
    } catch (IllegalArgumentException e) {
      System.err.println("cairn-worker: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    if (file.isEmpty() && args.length > 0) {
      System.out.println(USAGE);
      return;
    }
    Optional<String> jvm = JvmFlags.problem();
    if (jvm.isPresent()) {
      System.err.println("cairn-worker: " + jvm.get());
      System.exit(2);
      return;
    }
    try {
      WorkerConfig config = new ConfigLoader(System.getenv()).load(file);
      file.ifPresent(
          f -> System.setProperty(WorkerBeans.CONFIG_FILE_PROPERTY, f.toAbsolutePath().toString()));
      System.err.println("cairn-worker: config from " + config.origin());
    } catch (ConfigException e) {
      System.err.println("cairn-worker: " + e.getMessage());
      System.exit(2);
      return;
    }
    Quarkus.run(args);
  }

  /**
   * The file of {@code --config FILE} or {@code --config=FILE}; empty for no arguments or {@code
   * --help}.
   *
   * @throws IllegalArgumentException on anything else
   */
  static Optional<Path> configFile(String... args) {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return Optional.empty();
      } else if (a.equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (a.startsWith("--config=") && a.length() > "--config=".length()) {
        file = Path.of(a.substring("--config=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    return Optional.ofNullable(file);
  }
}
