package dev.cairn.operator.testing;

import dev.cairn.worker.testing.MetricsText;
import dev.cairn.worker.testing.WorkerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}, the prod profile, as
 * the image runs it) as a child process on 127.0.0.1, against an API server given by URL. A new one
 * is a new JVM: nothing of a previous one's memory survives, as with a restarted pod. {@link
 * Builder#start()} returns once {@code /q/health/live} answers 200; {@link #close()} sends SIGTERM,
 * as the kubelet does. Needs {@code mvn package} first: ITs run in failsafe's phase, after it.
 * {@link OperatorProcess} runs the {@code mockapi} build against the Fabric8 mock instead (no
 * server-side apply, no leader election); this one keeps the prod build whole and needs {@link
 * MockApiServer}, which speaks apply and answers the leader-election permission check.
 */
public final class ProdOperatorProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path log;
  private final URI base;

  private ProdOperatorProcess(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures and starts an operator. */
  public static final class Builder {
    private String apiServer;
    private String podName = "cairn-operator-0";
    private final Map<String, String> properties = new LinkedHashMap<>();

    /** The API server's URL, e.g. {@link MockApiServer#url()}. */
    public Builder apiServer(String url) {
      this.apiServer = url;
      return this;
    }

    /**
     * The pod name ({@code HOSTNAME}), which is also the leader-election identity; the same name
     * for a second process is the same pod restarted.
     */
    public Builder podName(String name) {
      this.podName = name;
      return this;
    }

    /** A runtime setting, e.g. {@code cairn.autoscaler.worker-port}. */
    public Builder property(String name, String value) {
      properties.put(name, value);
      return this;
    }

    public ProdOperatorProcess start() {
      if (apiServer == null) {
        throw new IllegalStateException("no apiServer given");
      }
      Path root = WorkerProcess.repoRoot();
      Path jar = root.resolve("operator/target/quarkus-app/quarkus-run.jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: package the operator first (mvn package)");
      }
      try {
        int port = freePort();
        Path logFile = Files.createTempFile("cairn-operator-", ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dkubernetes.master=" + apiServer);
        // Fabric8's own settings (the Quarkus ones are fixed at build time). The client's namespace
        // is the pod's: the Lease and the activator's route table live there.
        cmd.add("-Dkubernetes.namespace=" + namespace());
        cmd.add("-Dquarkus.log.console.json.enabled=false");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb =
            new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        pb.environment().put("HOSTNAME", podName);
        pb.environment().put("POD_NAMESPACE", namespace());
        ProdOperatorProcess operator =
            new ProdOperatorProcess(pb.start(), logFile, URI.create("http://127.0.0.1:" + port));
        operator.awaitLive();
        return operator;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the operator", e);
      }
    }

    private String namespace() {
      return properties.getOrDefault("cairn.activator.namespace", "cairn-system");
    }
  }

  /** {@code /q/metrics}, parsed. */
  public MetricsText scrape() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(base.resolve("/q/metrics"))
                  .header("Accept", "text/plain; version=0.0.4")
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET /q/metrics answered " + r.statusCode());
      }
      return MetricsText.parse(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Reconciles of {@code controller} that succeeded so far (Java Operator SDK's counter). */
  public double reconciled(String controller) {
    return scrape().samples("reconciliations_success_total").stream()
        .filter(s -> controller.equals(s.labels().get("controller_name")))
        .mapToDouble(MetricsText.Sample::value)
        .sum();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the operator logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the operator (SIGTERM, then SIGKILL after 30 s) and removes its log, unless system
   * property {@code cairn.keep-logs} is true (for reading it after a failed test).
   */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      if (!Boolean.getBoolean("cairn.keep-logs")) {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }

  private void awaitLive() {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String text = log();
        close();
        throw new IllegalStateException(
            "operator exited with " + process.exitValue() + ":\n" + text);
      }
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(base.resolve("/q/health/live"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String text = log();
    close();
    throw new IllegalStateException("operator not live within " + READY_TIMEOUT + ":\n" + text);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
