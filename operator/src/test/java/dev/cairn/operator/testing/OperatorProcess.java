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
 * The packaged operator as a child process on 127.0.0.1, pointed at an API server by URL, so a test
 * can stop it and start a fresh one whose memory holds nothing of the first, as with a restarted
 * pod. {@link Builder#start()} returns once {@code /q/health/live} answers 200. Two builds:
 *
 * <ul>
 *   <li>{@link Build#PROD}, {@code operator/target/quarkus-app/quarkus-run.jar}, as the image runs
 *       it; it needs {@link MockApiServer}, which speaks server-side apply and answers the
 *       leader-election permission check;
 *   <li>{@link Build#MOCK_API}, {@code operator/target/mock-api/quarkus-run.jar} (made in {@code
 *       pre-integration-test}): the same app built in the profile {@code mockapi}, whose only
 *       differences are what the Fabric8 mock server needs: no server-side apply, no leader
 *       election (see operator/pom.xml).
 * </ul>
 *
 * Logs go under {@code operator/target/operator-processes/}, where they outlive the test.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Which packaged operator runs. */
  public enum Build {
    PROD("operator/target/quarkus-app/quarkus-run.jar", "package the operator first (mvn package)"),
    MOCK_API(
        "operator/target/mock-api/quarkus-run.jar",
        "it is built in pre-integration-test (mvn verify)");

    private final String jar;
    private final String howToBuild;

    Build(String jar, String howToBuild) {
      this.jar = jar;
      this.howToBuild = howToBuild;
    }
  }

  private final Process process;
  private final Path log;
  private final URI base;
  private final String identity;

  private OperatorProcess(Process process, Path log, URI base, String identity) {
    this.process = process;
    this.log = log;
    this.base = base;
    this.identity = identity;
  }

  /** An operator of {@code build}. */
  public static Builder builder(Build build) {
    return new Builder(build);
  }

  /** Configures and starts an operator. */
  public static final class Builder {
    private final Build build;
    private String apiServer;
    private String podName = "cairn-operator-0";
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder(Build build) {
      this.build = build;
    }

    /** The API server's URL, e.g. {@link MockApiServer#url()}. */
    public Builder apiServer(String url) {
      this.apiServer = url;
      return this;
    }

    /**
     * The pod name ({@code HOSTNAME}): the leader-election identity and the reporting instance of
     * its Events; the same name for a second process is the same pod restarted.
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

    public OperatorProcess start() {
      if (apiServer == null) {
        throw new IllegalStateException("no apiServer given");
      }
      Path root = WorkerProcess.repoRoot();
      Path jar = root.resolve(build.jar);
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(jar + " is missing: " + build.howToBuild);
      }
      String namespace = properties.getOrDefault("cairn.activator.namespace", "cairn-system");
      try {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dquarkus.http.port=" + port);
        if (build == Build.PROD) {
          // Fabric8's own settings: the prod build fixes the Quarkus ones at build time.
          cmd.add("-Dkubernetes.master=" + apiServer);
          cmd.add("-Dkubernetes.namespace=" + namespace);
        } else {
          cmd.add("-Dquarkus.kubernetes-client.api-server-url=" + apiServer);
          cmd.add("-Dquarkus.kubernetes-client.trust-certs=true");
          cmd.add("-Dquarkus.kubernetes-client.namespace=" + namespace);
        }
        cmd.add("-Dquarkus.log.console.json.enabled=false");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Path logs = Files.createDirectories(root.resolve("operator/target/operator-processes"));
        Path logFile = logs.resolve(podName + "-" + System.currentTimeMillis() + ".log");
        ProcessBuilder pb =
            new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        // Nothing of the test machine's cluster access may leak in: the URL above is the API.
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("HOSTNAME", podName);
        pb.environment().put("POD_NAMESPACE", namespace);
        OperatorProcess operator =
            new OperatorProcess(
                pb.start(), logFile, URI.create("http://127.0.0.1:" + port), podName);
        operator.awaitLive();
        return operator;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the operator", e);
      }
    }
  }

  /** The pod name it runs as. */
  public String identity() {
    return identity;
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

  /** Whether the process is still running (an operator that cannot start exits). */
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
   * SIGKILL, as when a node dies or the container is OOM-killed: no shutdown hook runs, nothing in
   * memory survives. Waits until the process is gone.
   */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the operator as the kubelet does: SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  private void awaitLive() {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "operator exited with " + process.exitValue() + ":\n" + log());
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
        Thread.sleep(250);
      } catch (IOException e) {
        sleepQuietly(); // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String text = log();
    close();
    throw new IllegalStateException("operator not live within " + READY_TIMEOUT + ":\n" + text);
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
