package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.structured.CompiledConstraint;
import dev.cairn.worker.structured.ConstraintCompiler;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Structured-output cost in the engine: the same number of concurrent streams free and constrained
 * by {@link StructuredBench#SCHEMA}, alternating in one run on the bench model with a generated
 * 151,936-token byte-level BPE tokenizer ({@link BenchTokenizerGenerator}). The figures are the
 * constrained streams' aggregate output tokens/s over the free ones', and the schema's compile time
 * p50/p99. As in the server, one compiled constraint (and its mask cache) serves every constrained
 * request of the run. Usage: {@code StructuredStreamsBench OUT.json BENCH_MODEL_DIR [STREAMS]
 * [OUTPUT_TOKENS]}.
 */
public final class StructuredStreamsBench {
  private static final int PROMPT_TOKENS = 32;
  private static final int ROUNDS = 2;
  private static final int COMPILES = 200;
  private static final boolean[] CONSTRAINED_LAST = {false, true};
  private static final boolean[] CONSTRAINED_FIRST = {true, false};

  private StructuredStreamsBench() {}

  /** Generates the tokenizer if needed, runs free and constrained rounds, writes the report. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: StructuredStreamsBench OUT.json BENCH_MODEL_DIR [STREAMS] [OUTPUT_TOKENS]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path model = BenchModelGenerator.ensure(Path.of(args[1]));
    int streams = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int outputTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    Path tokenizerDir =
        BenchTokenizerGenerator.ensure(model.resolveSibling("bench-tokenizer-151936"));

    JsonNode schema = new ObjectMapper().readTree(StructuredBench.SCHEMA);
    long[] compile = StructuredBench.compileTimes(schema, COMPILES);
    CompiledConstraint constraint = new ConstraintCompiler(1).jsonSchema(schema);
    TokenVocabulary vocab =
        TokenVocabulary.fromTokenizerJson(tokenizerDir.resolve(HfTokenizer.FILE));

    List<Double> free = new ArrayList<>();
    List<Double> constrained = new ArrayList<>();
    int threads = Runtime.getRuntime().availableProcessors();
    int blocks = streams * ((PROMPT_TOKENS + outputTokens) / PagedKvCache.BLOCK_SIZE + 2) + 16;
    try (TransformerExecutor ex =
            HostWeights.load(model, "auto").executorOn(new CpuBackend(threads, true), blocks);
        HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
      int eos = tokenizer.tokenId(BenchTokenizerGenerator.EOS).orElseThrow();
      if (tokenizer.vocabSize() != vocab.size() || vocab.size() != ex.vocabSize()) {
        throw new IllegalStateException(
            "tokenizer " + tokenizer.vocabSize() + " vs model " + ex.vocabSize() + " tokens");
      }
      EngineConfig engineConfig =
          new EngineConfig(
              Math.max(64, streams),
              2048,
              Math.min(ex.maxModelLen(), 4096),
              blocks,
              ex.blockSize(),
              false,
              Set.of(eos));
      try (LlmEngine engine = new LlmEngine(engineConfig, ex, tokenizer)) {
        ConcurrencySweep sweep =
            new ConcurrencySweep(engine, ex.vocabSize(), PROMPT_TOKENS, outputTokens);
        sweep.run(4); // JIT warm-up, free and constrained paths
        sweep.run(4, () -> constraint.newMatcher(vocab, eos));
        // Free and constrained alternate as A B B A ..., so a drift of the machine or the JIT over
        // the run weighs on both alike.
        for (int round = 0; round < ROUNDS; round++) {
          for (boolean constrain : round % 2 == 0 ? CONSTRAINED_LAST : CONSTRAINED_FIRST) {
            double tps =
                (constrain
                        ? sweep.run(streams, () -> constraint.newMatcher(vocab, eos))
                        : sweep.run(streams))
                    .outputTokensPerSecond();
            (constrain ? constrained : free).add(tps);
          }
          System.out.printf(
              "round %d: free %.1f tok/s, constrained %.1f tok/s%n",
              round, free.getLast(), constrained.getLast());
        }
      }
    }
    write(out, streams, outputTokens, threads, compile, free, constrained);
  }

  private static void write(
      Path out,
      int streams,
      int outputTokens,
      int threads,
      long[] compile,
      List<Double> free,
      List<Double> constrained)
      throws IOException {
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("model", "qwen2.5-0.5b-shape-bf16");
    report.put("tokenizer", "generated byte-level BPE, " + StructuredBench.VOCAB_SIZE + " tokens");
    report.put("threads", threads);
    report.put("streams", streams);
    report.put("prompt_tokens", PROMPT_TOKENS);
    report.put("output_tokens", outputTokens);
    report.put("compile_p50_ms", compile[compile.length / 2] / 1e6);
    report.put("compile_p99_ms", compile[compile.length * 99 / 100 - 1] / 1e6);
    ArrayNode f = report.putArray("free_tokens_per_s");
    free.forEach(f::add);
    ArrayNode c = report.putArray("constrained_tokens_per_s");
    constrained.forEach(c::add);
    report.put("constrained_over_free", mean(constrained) / mean(free));
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, report.toPrettyString());
    System.out.println(report.toPrettyString());
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
