package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One model's sweep in one weight format, level by level ({@code repeats} runs of each), and the
 * bytes of weights each of its steps reads. {@link SweepBench} runs each in a JVM of its own
 * through {@link #main}. Usage: {@code SweepRuns OUT.json MODEL_DIR FORMAT STREAMS PROMPT_TOKENS
 * OUTPUT_TOKENS REPEATS}.
 *
 * @param levels each level's runs, in the order of the streams given
 * @param stepBytes bytes of weights one step reads
 */
record SweepRuns(List<List<SweepResult>> levels, long stepBytes) {

  /** Sweeps one model and format and writes its runs as JSON. */
  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println(
          "usage: SweepRuns OUT.json MODEL_DIR FORMAT STREAMS PROMPT_TOKENS OUTPUT_TOKENS REPEATS");
      System.exit(2);
    }
    SweepRuns runs =
        sweep(
            Path.of(args[1]),
            args[2],
            ConcurrencySweep.levels(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            Integer.parseInt(args[6]));
    ObjectMapper json = new ObjectMapper();
    Files.writeString(Path.of(args[0]), json.writeValueAsString(runs.toJson(json)));
  }

  /** {@link #sweep} in a JVM of its own (a worker serves one model in one format). */
  static SweepRuns forked(
      Path dir,
      String quantization,
      List<Integer> streams,
      int promptTokens,
      int outputTokens,
      int repeats)
      throws IOException {
    List<String> args =
        List.of(
            dir.toString(),
            quantization,
            String.join(",", streams.stream().map(String::valueOf).toList()),
            Integer.toString(promptTokens),
            Integer.toString(outputTokens),
            Integer.toString(repeats));
    return fromJson(ForkedJvm.run(SweepRuns.class, args));
  }

  /** Every level on one model and format, {@code repeats} runs of each, level by level. */
  static SweepRuns sweep(
      Path dir,
      String quantization,
      List<Integer> streams,
      int promptTokens,
      int outputTokens,
      int repeats)
      throws Exception {
    int threads = Runtime.getRuntime().availableProcessors();
    int maxStreams = streams.stream().max(Integer::compare).orElse(1);
    int perRequest = (promptTokens + outputTokens) / PagedKvCache.BLOCK_SIZE + 2;
    int blocks = maxStreams * perRequest + 16;
    try (TransformerExecutor ex =
            HostWeights.load(dir, "auto", quantization)
                .executorOn(new CpuBackend(threads, true), blocks);
        HfTokenizer tokenizer = tokenizerFor(dir)) {
      EngineConfig config =
          new EngineConfig(
              Math.max(64, maxStreams),
              2048,
              Math.min(ex.maxModelLen(), 4096),
              blocks,
              ex.blockSize(),
              false,
              Set.of());
      try (LlmEngine engine = new LlmEngine(config, ex, tokenizer)) {
        ConcurrencySweep sweep =
            new ConcurrencySweep(engine, ex.vocabSize(), promptTokens, outputTokens);
        // JIT warm-up through the batched kernels too: a step's token count picks its tiles
        // (quantized 16-token steps run another tile than prefills), so four streams left the
        // 16-stream level's first steps on cold code.
        sweep.run(Math.min(16, maxStreams));
        List<List<SweepResult>> levels = new ArrayList<>();
        for (int s : streams) {
          List<SweepResult> repeated = new ArrayList<>();
          for (int i = 0; i < repeats; i++) {
            SweepResult r = sweep.run(s);
            System.out.printf(
                "%s %s streams=%d run %d: %.1f tok/s, decode %.1f tok/s, TTFT p50 %.3fs, TPOT p50"
                    + " %.4fs%n",
                dir.getFileName(),
                quantization,
                s,
                i + 1,
                r.outputTokensPerSecond(),
                r.decodeTokensPerSecond(),
                r.ttftP50(),
                r.tpotP50());
            repeated.add(r);
          }
          levels.add(repeated);
        }
        return new SweepRuns(levels, ex.weightBytesPerStep());
      }
    }
  }

  /** The bench model has no tokenizer of its own: the engine only needs one to detokenize. */
  private static HfTokenizer tokenizerFor(Path dir) {
    Path own = dir.resolve(HfTokenizer.FILE);
    if (Files.isRegularFile(own)) {
      return HfTokenizer.load(dir);
    }
    return HfTokenizer.load(Path.of("models/tiny-shakespeare"));
  }

  /** As JSON: {@code step_bytes} and {@code levels}, an array of each level's runs. */
  ObjectNode toJson(ObjectMapper json) {
    ObjectNode node = json.createObjectNode().put("step_bytes", stepBytes);
    var levelsNode = node.putArray("levels");
    for (List<SweepResult> level : levels) {
      var runs = levelsNode.addArray();
      level.forEach(r -> runs.add(json.valueToTree(r)));
    }
    return node;
  }

  /** Reads what {@link #toJson} wrote. */
  static SweepRuns fromJson(JsonNode node) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<List<SweepResult>> levels = new ArrayList<>();
    for (JsonNode level : node.get("levels")) {
      List<SweepResult> runs = new ArrayList<>();
      for (JsonNode run : level) {
        runs.add(json.treeToValue(run, SweepResult.class));
      }
      levels.add(runs);
    }
    return new SweepRuns(levels, node.get("step_bytes").asLong());
  }
}
