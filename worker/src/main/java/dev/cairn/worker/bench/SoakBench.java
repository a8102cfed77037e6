package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Soak: drives one running worker with {@link SoakLoad}'s mix and, every {@code interval} requests,
 * records its heap after a full GC ({@code jcmd PID GC.run}, then the heap series of {@code
 * /metrics}), its RSS ({@code /proc/PID/status}), live threads, and the engine's KV usage and
 * request counts. Nothing that should return to zero may grow. Usage: {@code SoakBench BASE_URL
 * MODEL PID REQUESTS CONCURRENCY INTERVAL OUT.json}.
 */
public final class SoakBench {
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
  private final WorkerProbe probe;

  public SoakBench(URI base, long pid) {
    this.base = base;
    this.probe = new WorkerProbe(base, pid);
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
    Map<String, Double> m = probe.metrics();
    for (int i = 0; i < 20 && m.getOrDefault("cairn_ongoing_requests", 0.0) > 0; i++) {
      Thread.sleep(50);
      m = probe.metrics();
    }
    probe.fullGc();
    m = probe.metrics();
    return new Sample(
        done,
        (long) m.getOrDefault(WorkerProbe.HEAP, -1.0).doubleValue(),
        probe.rssBytes(),
        m.getOrDefault("jvm_threads_live_threads", -1.0).intValue(),
        m.getOrDefault("vllm:kv_cache_usage_perc", -1.0),
        m.getOrDefault("vllm:num_requests_running", -1.0).intValue(),
        m.getOrDefault("vllm:num_requests_waiting", -1.0).intValue(),
        m.getOrDefault("cairn_ongoing_requests", -1.0).intValue());
  }
}
