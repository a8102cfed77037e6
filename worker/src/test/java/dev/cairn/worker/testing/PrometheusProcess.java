package dev.cairn.worker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's package, 2.42) on a free loopback port with a generated config and a
 * throw-away data directory, for tests that run PromQL or scrape real workers. Close it to stop it.
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** Targets that share labels, as one entry of a job's {@code static_configs}. */
  public record TargetGroup(List<String> targets, Map<String, String> labels) {}

  /**
   * One static scrape job. Labels starting with {@code __} are seen by {@code relabelConfigs}
   * (written as in prometheus.yml, e.g. {@code source_labels}) and dropped after, as the labels of
   * service discovery are. A null interval means the global one.
   */
  public record ScrapeJob(
      String name,
      List<TargetGroup> groups,
      String metricsPath,
      boolean honorLabels,
      String interval,
      List<Map<String, Object>> relabelConfigs) {
    public static ScrapeJob of(String name, String target, Map<String, String> labels) {
      return new ScrapeJob(
          name,
          List.of(new TargetGroup(List.of(target), labels)),
          "/metrics",
          false,
          null,
          List.of());
    }
  }

  private final Process process;
  private final Path dir;
  private final URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusProcess(Process process, Path dir, URI base) {
    this.process = process;
    this.dir = dir;
    this.base = base;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a Prometheus that scrapes nothing: enough to parse and run PromQL. */
  public static PrometheusProcess start() {
    return builder().start();
  }

  /** Configures and starts a Prometheus. */
  public static final class Builder {
    private String scrapeInterval = "1s";
    private final List<ScrapeJob> jobs = new ArrayList<>();
    private final List<Path> ruleFiles = new ArrayList<>();

    public Builder scrapeInterval(String interval) {
      this.scrapeInterval = interval;
      return this;
    }

    public Builder scrape(ScrapeJob job) {
      jobs.add(job);
      return this;
    }

    /** Rule files (plain Prometheus format, e.g. a rendered PrometheusRule's groups). */
    public Builder ruleFile(Path file) {
      ruleFiles.add(file);
      return this;
    }

    public PrometheusProcess start() {
      Path binary = Executables.require("prometheus", "PROMETHEUS_BIN");
      Path dir = null;
      try {
        dir = Files.createTempDirectory("cairn-prometheus-");
        Path config = dir.resolve("prometheus.yml");
        YAML.writeValue(config.toFile(), config());
        int port = freePort();
        Process p =
            new ProcessBuilder(
                    binary.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusProcess prom =
            new PrometheusProcess(p, dir, URI.create("http://127.0.0.1:" + port));
        prom.awaitReady();
        return prom;
      } catch (IOException e) {
        deleteQuietly(dir);
        throw new UncheckedIOException("cannot start prometheus", e);
      }
    }

    private Map<String, Object> config() {
      Map<String, Object> global = new LinkedHashMap<>();
      global.put("scrape_interval", scrapeInterval);
      global.put("evaluation_interval", scrapeInterval);
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("global", global);
      config.put("rule_files", ruleFiles.stream().map(Path::toString).toList());
      List<Map<String, Object>> scrapeConfigs = new ArrayList<>();
      for (ScrapeJob job : jobs) {
        Map<String, Object> sc = new LinkedHashMap<>();
        sc.put("job_name", job.name());
        sc.put("metrics_path", job.metricsPath());
        sc.put("honor_labels", job.honorLabels());
        if (job.interval() != null) {
          sc.put("scrape_interval", job.interval());
        }
        sc.put(
            "static_configs",
            job.groups().stream()
                .map(g -> Map.of("targets", g.targets(), "labels", g.labels()))
                .toList());
        if (!job.relabelConfigs().isEmpty()) {
          sc.put("relabel_configs", job.relabelConfigs());
        }
        scrapeConfigs.add(sc);
      }
      config.put("scrape_configs", scrapeConfigs);
      return config;
    }
  }

  /** http://127.0.0.1:PORT */
  public URI baseUri() {
    return base;
  }

  /** GET /api/v1/query: the whole response (status, data or errorType/error), any HTTP status. */
  public JsonNode query(String promql) {
    return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** The result vector of an instant query; fails with Prometheus's error when it is not valid. */
  public JsonNode queryResult(String promql) {
    JsonNode r = query(promql);
    if (!"success".equals(r.path("status").asText())) {
      throw new IllegalArgumentException(
          "query failed: "
              + r.path("errorType").asText()
              + ": "
              + r.path("error").asText()
              + " -- "
              + promql);
    }
    return r.path("data").path("result");
  }

  /** Polls until the query returns a non-empty result, e.g. after the first scrapes. */
  public JsonNode awaitResult(String promql, Duration timeout) {
    return await(() -> queryResult(promql), r -> r.isArray() && !r.isEmpty(), timeout, promql);
  }

  /** Polls until every configured target is up. */
  public JsonNode awaitTargetsUp(Duration timeout) {
    return await(
        () -> get("/api/v1/targets").path("data").path("activeTargets"),
        t -> {
          for (JsonNode target : t) {
            if (!"up".equals(target.path("health").asText())) {
              return false;
            }
          }
          return t.size() > 0;
        },
        timeout,
        "all targets up");
  }

  /** GET /api/v1/rules: the loaded rule groups, each rule with its health and last error. */
  public JsonNode ruleGroups() {
    return get("/api/v1/rules").path("data").path("groups");
  }

  /** What Prometheus logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteQuietly(dir);
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        String log = log();
        close();
        throw new IllegalStateException(
            "prometheus exited with " + process.exitValue() + ":\n" + log);
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(base.resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(2))
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
      sleep();
    }
    String log = log();
    close();
    throw new IllegalStateException("prometheus not ready within " + STARTUP + ":\n" + log);
  }

  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + pathAndQuery + " from prometheus failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static <T> T await(
      java.util.function.Supplier<T> poll, Predicate<T> done, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    T last = poll.get();
    while (!done.test(last)) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "timed out after " + timeout + " waiting for " + what + ": " + last);
      }
      sleep();
      last = poll.get();
    }
    return last;
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }
}
