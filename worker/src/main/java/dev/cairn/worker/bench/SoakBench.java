package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: drives one running worker with {@link SoakLoad}'s mix and, every {@code interval} requests,
 * records its heap after a full GC ({@code jcmd PID GC.run}, then the heap series of {@code
 * /metrics}), its RSS ({@code /proc/PID/status}), live threads, and the engine's KV usage and
 * request counts. Nothing that should return to zero may grow. Usage: {@code SoakBench BASE_URL
 * MODEL PID REQUESTS CONCURRENCY INTERVAL OUT.json}.
 */
public final class SoakBench {
  private static final Pattern SERIES =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$");

  /** One measurement of the worker. */
  public record Sample(
      int requestsDone,
      long heapAfterGcBytes,
      long rssBytes,
      int liveThreads,
      double kvCacheUsage,
      int running,
      int waiting,
      int ongoing) {}

  /** What a soak run found: its samples and outcome counts. */
  public record Report(
      int requests, int concurrency, List<Sample> samples, Map<String, Long> outcomes) {}

  private final URI base;
  private final long pid;
  private final HttpClient http = HttpClient.newHttpClient();

  public SoakBench(URI base, long pid) {
    this.base = base;
    this.pid = pid;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println(
          "usage: SoakBench BASE_URL MODEL PID REQUESTS CONCURRENCY INTERVAL OUT.json");
      System.exit(2);
    }
    SoakBench soak = new SoakBench(URI.create(args[0]), Long.parseLong(args[2]));
    Report report =
        soak.run(
            args[1],
            Integer.parseInt(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]));
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(Path.of(args[6]).toFile(), report);
    System.out.println("soak report written to " + args[6]);
  }

  /** Sends {@code requests} requests, sampling before, every {@code interval} and after. */
  public Report run(String model, int requests, int concurrency, int interval) throws Exception {
    SoakLoad load = new SoakLoad(base, model);
    List<Sample> samples = new ArrayList<>();
    samples.add(sample(0));
    AtomicInteger next = new AtomicInteger();
    for (int done = 0; done < requests; ) {
      int batch = Math.min(interval, requests - done);
      try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
        for (int i = 0; i < batch; i++) {
          pool.execute(() -> load.send(next.getAndIncrement()));
        }
      }
      done += batch;
      samples.add(sample(done));
    }
    return new Report(requests, concurrency, samples, load.outcomes());
  }

  /** Waits for aborted work to drain (a second at most), then measures. */
  private Sample sample(int done) throws Exception {
    Map<String, Double> m = metrics();
    for (int i = 0; i < 20 && m.getOrDefault("cairn_ongoing_requests", 0.0) > 0; i++) {
      Thread.sleep(50);
      m = metrics();
    }
    fullGc();
    m = metrics();
    return new Sample(
        done,
        (long) m.getOrDefault("jvm_memory_used_bytes{area=\"heap\"}", -1.0).doubleValue(),
        rssBytes(),
        m.getOrDefault("jvm_threads_live_threads", -1.0).intValue(),
        m.getOrDefault("vllm:kv_cache_usage_perc", -1.0),
        m.getOrDefault("vllm:num_requests_running", -1.0).intValue(),
        m.getOrDefault("vllm:num_requests_waiting", -1.0).intValue(),
        m.getOrDefault("cairn_ongoing_requests", -1.0).intValue());
  }

  private void fullGc() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " GC.run failed");
    }
  }

  private long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /**
   * Series of {@code /metrics} by name, labels dropped except {@code area}; values of one name (and
   * area) are summed, so the heap is the sum of its pools.
   */
  private Map<String, Double> metrics() throws Exception {
    String text =
        http.send(
                HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher s = SERIES.matcher(line);
      if (!s.matches() || s.group(3).equals("NaN")) {
        continue;
      }
      String labels = s.group(2) == null ? "" : s.group(2);
      String key = s.group(1);
      if (labels.contains("area=\"heap\"")) {
        key += "{area=\"heap\"}";
      }
      out.merge(key, Double.parseDouble(s.group(3)), Double::sum);
    }
    return out;
  }
}
