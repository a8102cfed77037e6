package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.executor.PagedKvCache;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.lora.AdapterLocator;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.lora.LoraTarget;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.safetensors.SafetensorsWriter;
import dev.cairn.worker.model.safetensors.SafetensorsWriter.Entry;
import dev.cairn.worker.source.HubSettings;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Multi-LoRA cost: the same number of concurrent streams on the base model and spread round-robin
 * over random PEFT adapters (every projection adapted), alternating in one run so both see the same
 * machine. The adapters are BF16, as adapters trained beside a BF16 base are usually saved (and
 * kept so in memory: half the bytes per step of F32). The figure is the adapters' aggregate output
 * tokens/s over the base's. Usage: {@code LoraBench OUT.json BENCH_MODEL_DIR [STREAMS]
 * [OUTPUT_TOKENS] [ADAPTERS] [RANK]}.
 */
public final class LoraBench {
  private static final int PROMPT_TOKENS = 32;
  private static final int ROUNDS = 2;

  private LoraBench() {}

  /** Generates the adapters if needed, runs base and adapter rounds and writes the JSON report. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: LoraBench OUT.json BENCH_MODEL_DIR [STREAMS] [OUTPUT_TOKENS] [ADAPTERS] [RANK]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Path model = BenchModelGenerator.ensure(Path.of(args[1]));
    int streams = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int outputTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int adapters = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    int rank = args.length > 5 ? Integer.parseInt(args[5]) : 16;

    ModelConfig config = ModelConfig.load(model);
    List<String> names = new ArrayList<>();
    LoraSpec spec = new LoraSpec();
    List<LoraAdapterSpec> declared = new ArrayList<>();
    for (int i = 0; i < adapters; i++) {
      // Not bench-rN-i: writeAdapter keeps what is there, and earlier runs left F32 adapters there.
      String name = "bench-bf16-r" + rank + "-" + i;
      Path dir = writeAdapter(model.resolveSibling(name), config, rank, i);
      declared.add(new LoraAdapterSpec(name, "file:" + dir.toAbsolutePath()));
      names.add(name);
    }
    spec.setAdapters(declared);
    spec.setMaxLoraRank(rank);
    spec.setMaxLoadedAdapters(adapters);
    spec.setMaxLorasPerBatch(adapters);

    AlternatingRounds rounds;
    int threads = Runtime.getRuntime().availableProcessors();
    int blocks = streams * ((PROMPT_TOKENS + outputTokens) / PagedKvCache.BLOCK_SIZE + 2) + 16;
    try (TransformerExecutor ex =
            HostWeights.load(model, "auto").executorOn(new CpuBackend(threads, true), blocks);
        HfTokenizer tokenizer = HfTokenizer.load(Path.of("models/tiny-shakespeare"))) {
      AdapterRegistry registry =
          AdapterRegistry.start(
              spec,
              ex.config(),
              AdapterLocator.of(
                  new ModelResolver(HubSettings.fromEnv(Map.of()), Path.of("/nonexistent"))),
              ex::releaseAdapter);
      EngineConfig engineConfig =
          new EngineConfig(
              Math.max(64, streams),
              2048,
              Math.min(ex.maxModelLen(), 4096),
              blocks,
              ex.blockSize(),
              false,
              Set.of(),
              adapters,
              EngineConfig.defaultMaxWaiting(Math.max(64, streams)),
              0);
      try (LlmEngine engine = new LlmEngine(engineConfig, ex, tokenizer)) {
        ConcurrencySweep sweep =
            new ConcurrencySweep(engine, ex.vocabSize(), PROMPT_TOKENS, outputTokens);
        // JIT warm-up of both paths at the measured stream count: a step's token count picks its
        // tiles, and warmed at four streams the adapter path's first measured round ran 91 tok/s
        // against 111 in its second (run P).
        sweep.run(streams);
        sweep.run(streams, i -> registry.acquire(names.get(i % adapters)));
        rounds =
            AlternatingRounds.run(
                ROUNDS,
                () -> sweep.run(streams).outputTokensPerSecond(),
                () ->
                    sweep
                        .run(streams, i -> registry.acquire(names.get(i % adapters)))
                        .outputTokensPerSecond(),
                "round %d: base %.1f tok/s, " + adapters + " adapters %.1f tok/s");
      }
    }
    write(out, streams, outputTokens, adapters, rank, threads, rounds);
  }

  private static void write(
      Path out,
      int streams,
      int outputTokens,
      int adapters,
      int rank,
      int threads,
      AlternatingRounds rounds)
      throws IOException {
    ObjectNode report = new ObjectMapper().createObjectNode();
    report.put("model", "qwen2.5-0.5b-shape-bf16");
    report.put("threads", threads);
    report.put("streams", streams);
    report.put("prompt_tokens", PROMPT_TOKENS);
    report.put("output_tokens", outputTokens);
    report.put("adapters", adapters);
    report.put("rank", rank);
    report.put("targets", "q,k,v,o,gate,up,down");
    report.put("adapter_dtype", "bf16");
    rounds.putInto(report, "base_tokens_per_s", "lora_tokens_per_s");
    report.put("lora_over_base", rounds.ratio());
    AlternatingRounds.write(out, report);
  }

  /**
   * A PEFT adapter with random BF16 weights adapting every projection of every layer, written
   * unless already there. lora_B is small but not zero (PEFT's zero init would make the delta
   * vanish numerically, not computationally), so the outputs differ from the base model's.
   */
  static Path writeAdapter(Path dir, ModelConfig config, int rank, int seed) throws IOException {
    if (Files.exists(dir.resolve("adapter_model.safetensors"))) {
      return dir;
    }
    Files.createDirectories(dir);
    Random random = new Random(seed);
    List<Entry> entries = new ArrayList<>();
    for (int l = 0; l < config.numLayers(); l++) {
      for (LoraTarget t : LoraTarget.values()) {
        String p = "base_model.model.model.layers." + l + "." + t.parent() + "." + t.module();
        int in = t.inDim(config);
        int outDim = t.outDim(config);
        entries.add(
            Entry.ofBf16(p + ".lora_A.weight", uniform(random, rank * in, 0.05f), rank, in));
        entries.add(
            Entry.ofBf16(
                p + ".lora_B.weight", uniform(random, outDim * rank, 0.01f), outDim, rank));
      }
    }
    SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), entries);
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.put("peft_type", "LORA").put("r", rank).put("lora_alpha", 2 * rank);
    ArrayNode targets = c.putArray("target_modules");
    for (LoraTarget t : LoraTarget.values()) {
      targets.add(t.module());
    }
    Files.writeString(dir.resolve("adapter_config.json"), c.toPrettyString());
    return dir;
  }

  private static float[] uniform(Random random, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (random.nextFloat() * 2 - 1) * scale;
    }
    return v;
  }
}
