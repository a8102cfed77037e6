package dev.cairn.worker.testing;

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
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The packaged worker ({@code worker/target/quarkus-app/quarkus-run.jar}) as a child process on a
 * loopback address, started from the repository root so {@code file:models/...} sources resolve.
 * {@link Builder#start()} returns once {@code /health/ready} answers 200; {@link #close()} stops
 * it. Needs {@code mvn package} first: worker ITs run in failsafe's phase, after it.
 */
public final class WorkerProcess implements AutoCloseable {
  /** The system property (set by Surefire/Failsafe) naming the repository root. */
  public static final String REPO_ROOT_PROPERTY = "cairn.repo.root";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path log;
  private final URI base;

  private WorkerProcess(Process process, Path log, URI base) {
    this.process = process;
    this.log = log;
    this.base = base;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures and starts a worker. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private Path configFile;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> systemProperties = new ArrayList<>();
    private boolean jvmFlags = true;

    /** A loopback address, e.g. {@code 127.0.0.2}; default 127.0.0.1. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The HTTP port; default a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The spec as JSON, passed as env {@code CAIRN_CONFIG} (what the operator does). */
    public Builder configJson(String json) {
      return env("CAIRN_CONFIG", json);
    }

    /** An LLMDeployment YAML, passed as {@code --config FILE} (what {@code make run} does). */
    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** An extra JVM system property, e.g. a Quarkus setting. */
    public Builder systemProperty(String name, String value) {
      systemProperties.add("-D" + name + "=" + value);
      return this;
    }

    /** Leaves out the JVM flags the worker needs (the Vector API module, native access). */
    public Builder withoutJvmFlags() {
      this.jvmFlags = false;
      return this;
    }

    /**
     * Runs a worker expected to stop on its own, e.g. one refusing its options.
     *
     * @throws IllegalStateException when it is still running after {@code timeout} (it is killed)
     */
    public Exit runToExit(Duration timeout) {
      Path root = repoRoot();
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command(jar(root), port > 0 ? port : freePort(host)))
                .directory(root.toFile())
                .redirectErrorStream(true);
        pb.environment().remove("CAIRN_CONFIG");
        pb.environment().putAll(env);
        Process p = pb.start();
        // The output is small (a refusal): read it to the end, then collect the exit code.
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("worker still running after " + timeout + ":\n" + output);
        }
        return new Exit(p.exitValue(), output);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the worker", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    public WorkerProcess start() {
      WorkerProcess worker = launch();
      worker.awaitReady();
      return worker;
    }

    /** Starts the process without waiting for it to be ready (for loads meant to fail). */
    public WorkerProcess launch() {
      Path root = repoRoot();
      Path jar = jar(root);
      try {
        int httpPort = port > 0 ? port : freePort(host);
        Path logFile = Files.createTempFile("cairn-worker-", ".log");
        ProcessBuilder pb =
            new ProcessBuilder(command(jar, httpPort))
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        // The test JVM's own settings must not leak in: the child sees only what the test gives.
        pb.environment().remove("CAIRN_CONFIG");
        pb.environment().remove("CAIRN_API_KEY");
        pb.environment().putAll(env);
        return new WorkerProcess(
            pb.start(), logFile, URI.create("http://" + host + ":" + httpPort));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the worker", e);
      }
    }

    private static Path jar(Path root) {
      Path jar = root.resolve("worker/target/quarkus-app/quarkus-run.jar");
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: package the worker first (mvn package)");
      }
      return jar;
    }

    private List<String> command(Path jar, int httpPort) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      if (jvmFlags) {
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("--enable-native-access=ALL-UNNAMED");
      }
      cmd.add("-Xmx512m");
      cmd.add("-Dquarkus.http.host=" + host);
      cmd.add("-Dquarkus.http.port=" + httpPort);
      // Tests stop workers often: no grace delay before refusing connections.
      cmd.add("-Dquarkus.shutdown.delay=0s");
      cmd.addAll(systemProperties);
      cmd.add("-jar");
      cmd.add(jar.toString());
      if (configFile != null) {
        cmd.add("--config");
        cmd.add(configFile.toAbsolutePath().toString());
      }
      return cmd;
    }
  }

  /** How a worker run with {@link Builder#runToExit} ended: its exit code and all it printed. */
  public record Exit(int code, String output) {}

  /**
   * Starts several workers at once, so their model loads overlap; when one fails to start, the ones
   * that did are stopped before the failure is rethrown.
   */
  public static List<WorkerProcess> startAll(List<Builder> builders) {
    List<WorkerProcess> started = new ArrayList<>();
    RuntimeException failure = null;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<WorkerProcess>> starts =
          builders.stream().map(b -> threads.submit(b::start)).toList();
      for (Future<WorkerProcess> f : starts) {
        try {
          started.add(f.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure =
                e.getCause() instanceof RuntimeException r
                    ? r
                    : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new IllegalStateException("interrupted", e);
        }
      }
    }
    if (failure != null) {
      started.forEach(WorkerProcess::close);
      throw failure;
    }
    return started;
  }

  /** The repository root from system property {@value #REPO_ROOT_PROPERTY}. */
  public static Path repoRoot() {
    String root = System.getProperty(REPO_ROOT_PROPERTY);
    if (root == null || root.isBlank()) {
      throw new IllegalStateException(
          "system property " + REPO_ROOT_PROPERTY + " is not set (the parent pom sets it)");
    }
    return Path.of(root).toAbsolutePath();
  }

  /** http://HOST:PORT */
  public URI baseUri() {
    return base;
  }

  /** host:port, as a Prometheus target. */
  public String address() {
    return base.getHost() + ":" + base.getPort();
  }

  /** The absolute URL of {@code path}, e.g. {@code url("/v1")}. */
  public String url(String path) {
    return base + path;
  }

  /** GET {@code path} with optional header name/value pairs. */
  public HttpResponse<String> get(String path, String... headers) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET(), headers);
  }

  /** POST a JSON body to {@code path} with optional header name/value pairs. */
  public HttpResponse<String> post(String path, String json, String... headers) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        headers);
  }

  /** {@code /metrics} in the Prometheus text format 0.0.4, parsed. */
  public MetricsText scrape() {
    HttpResponse<String> r = get("/metrics", "Accept", "text/plain; version=0.0.4");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /metrics answered " + r.statusCode() + ": " + r.body());
    }
    return MetricsText.parse(r.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder request, String... headers) {
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return HTTP.send(
          request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** What the worker logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The worker's process id (for jcmd and /proc). */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM, as the kubelet does when a pod goes, and returns at once. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end; its exit code, or empty if it is still running. */
  public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? OptionalInt.of(process.exitValue())
        : OptionalInt.empty();
  }

  /** Stops the worker (SIGTERM, then SIGKILL after 20 s) and removes its log. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String text = log();
        close();
        throw new IllegalStateException("worker exited with " + process.exitValue() + ":\n" + text);
      }
      if (readyNow()) {
        return;
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
    throw new IllegalStateException("worker not ready within " + READY_TIMEOUT + ":\n" + text);
  }

  private boolean readyNow() {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url("/health/ready")))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
