package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged worker ({@code worker/target/quarkus-app/quarkus-run.jar}) as a child process
 * serving one LLMDeployment YAML on 127.0.0.1, with a fixed heap so heap readings compare across a
 * run. Started from the repository root; its output goes to a log file next to the report.
 */
final class BenchWorker implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final URI base;
  private final Path log;

  private BenchWorker(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /**
   * An LLMDeployment serving the model in {@code served} on CPU as {@link OverloadBench#MODEL_ID},
   * as {@code make run} would pass it; callers add {@code spec.engine} and the rest to {@code
   * spec}, and write it with {@link #render} (JSON, which the worker's YAML loader reads).
   */
  static ObjectNode deployment(String name, Path served) {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "llm.cairn.dev/v1alpha1").put("kind", "LLMDeployment");
    root.putObject("metadata").put("name", name);
    ObjectNode spec = root.putObject("spec");
    spec.putObject("model")
        .put("id", OverloadBench.MODEL_ID)
        .put("source", "file:" + served.toAbsolutePath());
    spec.putObject("accelerator").put("type", "cpu").put("count", 0);
    return root;
  }

  /** {@code deployment} as the text of a config file. */
  static String render(ObjectNode deployment) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(deployment);
  }

  /** Starts the worker and returns once {@code /health/ready} answers 200. */
  static BenchWorker start(Path config, int port, String heap, Path log)
      throws IOException, InterruptedException {
    Path jar = Path.of("worker/target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: package the worker");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xms" + heap);
    cmd.add("-Xmx" + heap);
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.add("--config");
    cmd.add(config.toAbsolutePath().toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("CAIRN_CONFIG");
    BenchWorker worker = new BenchWorker(pb.start(), URI.create("http://127.0.0.1:" + port), log);
    try {
      worker.awaitReady();
    } catch (RuntimeException | IOException | InterruptedException e) {
      worker.close();
      throw e;
    }
    return worker;
  }

  URI base() {
    return base;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "worker exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
      }
      try {
        if (get(http, "/health/ready").statusCode() == 200) {
          return;
        }
        // Liveness goes down only when the model failed to load: no point waiting.
        HttpResponse<String> live = get(http, "/health/live");
        if (live.statusCode() != 200) {
          throw new IllegalStateException("worker failed to load the model: " + live.body());
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "worker not ready after " + READY_TIMEOUT + "; see " + log.toAbsolutePath());
  }

  private HttpResponse<String> get(HttpClient http, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGTERM, then SIGKILL if it has not exited within a minute. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
