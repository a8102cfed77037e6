package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Overload: a real worker process on the generated Qwen2.5-0.5B-shaped model, first measured at its
 * capacity (16 closed-loop streams: completed requests per second), then sent {@code factor} times
 * that rate open-loop for {@code seconds}. Reports how many requests were accepted and how many
 * refused with 503, the time to first token of the accepted ones, the worker's heap and RSS before,
 * at their peak and after, and whether KV cache usage is back to 0 once it drained; JSON plus a
 * time-series PNG. Usage: {@code OverloadBench OUT.json OUT.png BENCH_MODEL_DIR [--seconds=120]
 * [--factor=10] [--streams=16] [--capacity-requests=2] [--output-tokens=16] [--quantization=none]
 * [--max-num-seqs=16] [--port=18091] [--heap=1g]}.
 */
public final class OverloadBench {
  static final String MODEL_ID = "qwen2.5-0.5b-shape";

  /** About 30 tokens of the bench tokenizer: a short chat turn's worth of prompt. */
  static final String PROMPT =
      "The operator reads the load of every replica, compares it with the target, and decides"
          + " how many workers the deployment needs";

  private static final String REJECTED = "cairn_requests_rejected_total{reason=\"queue_full\"}";
  private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration DRAIN_LIMIT = Duration.ofMinutes(30);

  /** What the run measured; serialized as the JSON report. */
  record Result(
      OverloadSettings settings,
      int threads,
      String loadAverageAtStart,
      OverloadLoad.Capacity capacity,
      double overloadRequestsPerSecond,
      OverloadReport.Outcomes outcomes,
      double workerRejectedQueueFull,
      double secondsUntilDrained,
      Map<String, OverloadReport.Memory> memory,
      double kvCacheUsagePeak,
      double kvCacheUsageAfter,
      List<OverloadReport.Sample> samples) {}

  private OverloadBench() {}

  public static void main(String[] args) throws Exception {
    OverloadSettings s;
    try {
      s = OverloadSettings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: " + OverloadSettings.USAGE);
      System.exit(2);
      return;
    }
    Path served = servedModel(s.modelDir());
    Path config = s.out().resolveSibling("overload-worker.yaml");
    Files.writeString(config, workerConfig(served, s));
    Path log = s.out().resolveSibling("overload-worker.log");
    String loadAverage = Files.readString(Path.of("/proc/loadavg")).trim();
    Result result;
    try (BenchWorker worker = BenchWorker.start(config, s.port(), s.heap(), log)) {
      result = run(s, worker, loadAverage);
    }
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(s.out().toFile(), result);
    OverloadPlot.write(
        s.png(),
        result.samples(),
        s.seconds(),
        String.format(
            "Cairn worker at %.0fx capacity (%.2f req/s) for %.0f s",
            s.factor(), result.overloadRequestsPerSecond(), s.seconds()));
    System.out.printf(
        "capacity %.3f req/s; sent %d at %.2f req/s: accepted %d, rejected %d, failed %d;"
            + " TTFT p50 %.1f s, p99 %.1f s; KV usage after %.3f; report %s%n",
        result.capacity().requestsPerSecond(),
        result.outcomes().sent(),
        result.overloadRequestsPerSecond(),
        result.outcomes().accepted(),
        result.outcomes().rejected(),
        result.outcomes().failed(),
        result.outcomes().ttftP50Seconds(),
        result.outcomes().ttftP99Seconds(),
        result.kvCacheUsageAfter(),
        s.out());
  }

  private static Result run(OverloadSettings s, BenchWorker worker, String loadAverage)
      throws Exception {
    WorkerProbe probe = new WorkerProbe(worker.base(), worker.pid());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    OverloadLoad load =
        new OverloadLoad(
            new StreamedCompletion(
                http, worker.base(), MODEL_ID, PROMPT, s.outputTokens(), CLIENT_TIMEOUT));
    load.closedLoop(1, 2); // JIT warm-up, one stream
    OverloadLoad.Capacity capacity = load.closedLoop(s.streams(), s.capacityRequests());
    double rate = OverloadReport.overloadRate(capacity.requestsPerSecond(), s.factor());
    System.out.printf(
        "capacity: %d requests on %d streams in %.1f s = %.3f req/s; overload at %.2f req/s%n",
        capacity.requests(),
        capacity.streams(),
        capacity.seconds(),
        capacity.requestsPerSecond(),
        rate);

    long origin = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    probe.fullGc();
    OverloadReport.Sample before = WorkerSampler.read(probe, origin);
    double rejectedBefore = probe.metrics("reason=\"queue_full\"").getOrDefault(REJECTED, 0.0);
    List<OverloadReport.Request> requests;
    List<OverloadReport.Sample> samples;
    double drained;
    try (WorkerSampler sampler = new WorkerSampler(probe, origin, 1000)) {
      requests = load.openLoop(OverloadReport.schedule(rate, s.seconds()), origin);
      awaitIdle(probe);
      drained = (System.nanoTime() - origin) / 1e9;
      sampler.close();
      samples = new ArrayList<>(sampler.samples());
    }
    samples.add(WorkerSampler.read(probe, origin)); // drained, before the GC below
    double rejectedAfter = probe.metrics("reason=\"queue_full\"").getOrDefault(REJECTED, 0.0);
    probe.fullGc();
    OverloadReport.Sample after = WorkerSampler.read(probe, origin);
    return new Result(
        s,
        Runtime.getRuntime().availableProcessors(),
        loadAverage,
        capacity,
        rate,
        OverloadReport.Outcomes.of(requests),
        rejectedAfter - rejectedBefore,
        drained,
        Map.of(
            "before", new OverloadReport.Memory(before.heapBytes(), before.rssBytes()),
            "peak", OverloadReport.peak(samples),
            "after", new OverloadReport.Memory(after.heapBytes(), after.rssBytes())),
        OverloadReport.peakKvUsage(samples),
        after.kvCacheUsage(),
        samples);
  }

  /** Waits until the worker holds no request (aborted streams may take a step to free). */
  private static void awaitIdle(WorkerProbe probe) throws Exception {
    long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Double> m = probe.metrics();
      if (m.getOrDefault("cairn_ongoing_requests", 0.0) == 0
          && m.getOrDefault("vllm:num_requests_running", 0.0) == 0
          && m.getOrDefault("vllm:num_requests_waiting", 0.0) == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("worker still busy " + DRAIN_LIMIT + " after the overload");
  }

  /**
   * The bench model as the worker serves it: the generated weights and config, and the generated
   * 151,936-token tokenizer (the weights' vocabulary), linked into a directory of their own.
   */
  static Path servedModel(Path modelDir) throws Exception {
    Path model = BenchModelGenerator.ensure(modelDir).toAbsolutePath();
    Path tokenizer =
        BenchTokenizerGenerator.ensure(model.resolveSibling("bench-tokenizer-151936"))
            .toAbsolutePath();
    Path served = model.resolveSibling(model.getFileName() + "-served");
    Files.createDirectories(served);
    link(served.resolve("config.json"), model.resolve("config.json"));
    link(served.resolve("model.safetensors"), model.resolve("model.safetensors"));
    link(served.resolve("tokenizer.json"), tokenizer.resolve("tokenizer.json"));
    return served;
  }

  private static void link(Path link, Path target) throws Exception {
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, target);
    }
  }

  /** The LLMDeployment the worker serves, as {@code make run} would pass it. */
  static String workerConfig(Path served, OverloadSettings s) throws IOException {
    ObjectNode d = BenchWorker.deployment("overload-bench", served);
    ObjectNode spec = (ObjectNode) d.get("spec");
    spec.putObject("engine")
        .put("maxNumSeqs", s.maxNumSeqs())
        .put("maxModelLen", 512)
        .put("kvCacheMemory", "256Mi")
        .put("quantization", s.quantization());
    spec.put("logEngineMetrics", true);
    return BenchWorker.render(d);
  }
}
