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
import dev.cairn.worker.structured.CompiledConstraint;
import dev.cairn.worker.structured.ConstraintCompiler;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
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
  // Four rounds (A B B A A B B A): with two, one slow phase of this shared machine moved the ratio
  // by a fifth.
  private static final int ROUNDS = 4;
  private static final int COMPILES = 200;

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
    long[][] compile = StructuredBench.compileTimesWallAndCpu(schema, COMPILES);
    CompiledConstraint constraint = new ConstraintCompiler(1).jsonSchema(schema);
    TokenVocabulary vocab =
        TokenVocabulary.fromTokenizerJson(tokenizerDir.resolve(HfTokenizer.FILE));

    AlternatingRounds rounds;
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
        // JIT warm-up of both paths at the measured stream count: a step's token count picks its
        // tiles, and warmed at four streams the constrained path's first measured round ran 69
        // tok/s against 125 in its second (run P).
        sweep.run(streams);
        sweep.run(streams, () -> constraint.newMatcher(vocab, eos));
        rounds =
            AlternatingRounds.run(
                ROUNDS,
                () -> sweep.run(streams).outputTokensPerSecond(),
                () ->
                    sweep
                        .run(streams, () -> constraint.newMatcher(vocab, eos))
                        .outputTokensPerSecond(),
                "round %d: free %.1f tok/s, constrained %.1f tok/s");
      }
    }
    write(out, streams, outputTokens, threads, compile, rounds);
  }

  private static void write(
      Path out,
      int streams,
      int outputTokens,
      int threads,
      long[][] compile,
      AlternatingRounds rounds)
      throws IOException {
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("model", "qwen2.5-0.5b-shape-bf16");
    report.put("tokenizer", "generated byte-level BPE, " + StructuredBench.VOCAB_SIZE + " tokens");
    report.put("threads", threads);
    report.put("streams", streams);
    report.put("prompt_tokens", PROMPT_TOKENS);
    report.put("output_tokens", outputTokens);
    int n = compile[0].length;
    report.put("compile_p50_ms", compile[0][n / 2] / 1e6);
    report.put("compile_p99_ms", compile[0][n * 99 / 100 - 1] / 1e6);
    report.put("compile_cpu_p50_ms", compile[1][n / 2] / 1e6);
    report.put("compile_cpu_p99_ms", compile[1][n * 99 / 100 - 1] / 1e6);
    rounds.putInto(report, "free_tokens_per_s", "constrained_tokens_per_s");
    report.put("constrained_over_free", rounds.ratio());
    AlternatingRounds.write(out, report);
  }
}
