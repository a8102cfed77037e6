package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.model.ModelConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fresh replica's first requests cost with and without {@code spec.engine.warmup}: the
 * packaged worker serving the 0.5B-shaped bench model with one declared rank-16 LoRA adapter,
 * started {@code STARTS} times per setting, the settings alternated. Each start records the time
 * from launch to {@code /health/ready} (polled every half second), then sends requests one at a
 * time whose prompts differ in their first word, so none hits the prefix cache: the base model's
 * first, the adapter's first, then {@link #LATER} more of each. Writes every timing and, per
 * setting, the first requests over the median later one.
 */
public final class ColdStartBench {

  /** Requests of each kind after the first ones. */
  static final int LATER = 3;

  private static final String ADAPTER = "bench-adapter";
  private static final String PROMPT =
      "the king of Denmark speaks to his ghost upon the battlements at night, and all the court"
          + " is silent in the hall of Elsinore, waiting for the dawn to come";
  private static final int OUTPUT_TOKENS = 16;
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

  private ColdStartBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ColdStartBench OUT.json BENCH_MODEL_DIR [STARTS] [QUANT] [PORT]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path served = OverloadBench.servedModel(Path.of(args[1]));
    int starts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    String quantization = args.length > 3 ? args[3] : "none";
    int port = args.length > 4 ? Integer.parseInt(args[4]) : 18093;
    Path adapter =
        LoraBench.writeAdapter(
            served.resolveSibling("bench-bf16-r16-0"), ModelConfig.load(served), 16, 0);

    Map<Boolean, List<Start>> runs = new LinkedHashMap<>();
    runs.put(false, new ArrayList<>());
    runs.put(true, new ArrayList<>());
    int word = 0;
    for (int i = 0; i < starts; i++) {
      for (boolean warmup : runs.keySet()) {
        Path config = out.resolveSibling("coldstart-worker.yaml");
        Files.writeString(config, workerConfig(served, adapter, quantization, warmup));
        Start s = start(config, port, out.resolveSibling("coldstart-worker.log"), word);
        word += 2 * (LATER + 1);
        runs.get(warmup).add(s);
        System.out.printf(
            "warmup %s: ready after %.1f s, first base %.2f s, first LoRA %.2f s, later %s s%n",
            warmup, s.readySeconds(), s.firstBase(), s.firstLora(), Arrays.toString(s.later()));
      }
    }
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("model", served.toString()).put("quantization", quantization);
    report.put("adapter_rank", 16).put("output_tokens", OUTPUT_TOKENS).put("starts", starts);
    report.put("load_average", Files.readString(Path.of("/proc/loadavg")).trim());
    for (Map.Entry<Boolean, List<Start>> e : runs.entrySet()) {
      write(report.putObject(e.getKey() ? "warmup_on" : "warmup_off"), e.getValue());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println(out + " written");
  }

  /**
   * One start: launch to ready, then the timed requests.
   *
   * @param readySeconds launch to {@code /health/ready}
   * @param firstBase the base model's first request, seconds
   * @param firstLora the adapter's first request, seconds
   * @param later the requests after those, base and adapter in turn, seconds
   */
  record Start(double readySeconds, double firstBase, double firstLora, double[] later) {

    /** A first request over the median later one. */
    double overLater(double first) {
      return first / ComputeBench.median(later);
    }
  }

  private static Start start(Path config, int port, Path log, int word) throws Exception {
    long t0 = System.nanoTime();
    try (BenchWorker worker = BenchWorker.start(config, port, "2g", log)) {
      double ready = (System.nanoTime() - t0) / 1e9;
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      double base = time(http, worker.base(), OverloadBench.MODEL_ID, word++);
      double lora = time(http, worker.base(), ADAPTER, word++);
      double[] later = new double[2 * LATER];
      for (int i = 0; i < later.length; i++) {
        later[i] = time(http, worker.base(), i % 2 == 0 ? OverloadBench.MODEL_ID : ADAPTER, word++);
      }
      return new Start(ready, base, lora, later);
    }
  }

  /** One completion of {@link #OUTPUT_TOKENS} tokens, its prompt led by word number {@code n}. */
  private static double time(HttpClient http, URI base, String model, int n) throws Exception {
    String body =
        """
        {"model": "%s", "prompt": "w%d %s", "max_tokens": %d, "ignore_eos": true,
         "temperature": 0}"""
            .formatted(model, n, PROMPT, OUTPUT_TOKENS);
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/v1/completions"))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long t0 = System.nanoTime();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          model + " answered " + response.statusCode() + ": " + response.body());
    }
    return seconds;
  }

  /** Every start's timings, then the medians and the first requests over the later ones. */
  static void write(ObjectNode node, List<Start> starts) {
    ArrayNode all = node.putArray("starts");
    for (Start s : starts) {
      ObjectNode o = all.addObject();
      o.put("ready_s", s.readySeconds())
          .put("first_base_s", s.firstBase())
          .put("first_lora_s", s.firstLora());
      ArrayNode later = o.putArray("later_s");
      Arrays.stream(s.later()).forEach(later::add);
      o.put("first_base_over_later", s.overLater(s.firstBase()));
      o.put("first_lora_over_later", s.overLater(s.firstLora()));
    }
    node.put(
        "ready_s_median",
        ComputeBench.median(starts.stream().mapToDouble(Start::readySeconds).toArray()));
    node.put(
        "first_base_over_later_median",
        ComputeBench.median(
            starts.stream().mapToDouble(s -> s.overLater(s.firstBase())).toArray()));
    node.put(
        "first_lora_over_later_median",
        ComputeBench.median(
            starts.stream().mapToDouble(s -> s.overLater(s.firstLora())).toArray()));
  }

  /** The LLMDeployment the worker serves, as {@code make run} would pass it. */
  static String workerConfig(Path served, Path adapter, String quantization, boolean warmup)
      throws IOException {
    ObjectNode d = BenchWorker.deployment("coldstart-bench", served);
    ObjectNode spec = (ObjectNode) d.get("spec");
    spec.putObject("engine")
        .put("maxNumSeqs", 16)
        .put("maxModelLen", 4096)
        .put("kvCacheMemory", "256Mi")
        .put("quantization", quantization)
        .put("warmup", warmup);
    ObjectNode lora = spec.putObject("lora").put("maxLoraRank", 16);
    lora.putArray("adapters")
        .addObject()
        .put("name", ADAPTER)
        .put("source", "file:" + adapter.toAbsolutePath());
    return BenchWorker.render(d);
  }
}
