package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.AdapterLocator;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.source.HubSettings;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters through the real engine on the CPU backend: tiny-shakespeare-lora/reference.json
 * token for token, mixed batches equal to one request at a time, the per-step adapter limit, and
 * dynamic loading with eviction (device copies released).
 */
class LoraEngineTest {

  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Path ADAPTERS =
      TestModels.repoRoot().resolve("models/tiny-shakespeare-lora");
  private static Path modelDir;
  private static HfTokenizer tokenizer;
  private static JsonNode cases;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws Exception {
    modelDir = TestModels.tinyShakespeare();
    tokenizer = HfTokenizer.load(modelDir);
    cases = new ObjectMapper().readTree(ADAPTERS.resolve("reference.json").toFile()).get("cases");
  }

  @AfterAll
  static void release() {
    tokenizer.close();
  }

  @Test
  void everyReferenceCaseIsTokenExactWithBothAdaptersLoaded() throws Exception {
    try (Served s = serve(declared(2), 256, 8)) {
      for (JsonNode c : cases) {
        int[] prompt = ints(c.get("prompt_ids"));
        assertThat(tokenizer.encode(c.get("prompt").asText())).containsExactly(prompt);
        OutputCollector out = new OutputCollector();
        s.engine.submit(s.request("ref", prompt, adapter(c), 32), out);
        assertThat(out.await().tokens()).as(label(c)).containsExactly(ints(c.get("greedy_ids")));
        assertThat(out.text()).as(label(c)).isEqualTo(c.get("greedy_text").asText());
      }
      s.assertIdle();
    }
  }

  @Test
  void lastPromptLogitsMatchTheReferenceWithinOneInTenThousand() {
    try (Served s = serve(declared(2), 64, 8)) {
      for (JsonNode c : cases) {
        int[] prompt = ints(c.get("prompt_ids"));
        String name = adapter(c);
        float[] logits;
        try (AdapterLease lease = name == null ? null : s.registry.acquire(name)) {
          int[] table = {0, 1, 2, 3};
          logits =
              s.executor
                  .execute(
                      List.of(
                          new SequenceChunk(
                              prompt,
                              0,
                              table,
                              true,
                              false,
                              lease == null ? null : lease.weights())))[0];
        }
        JsonNode expected = c.get("last_logits");
        for (int v = 0; v < expected.size(); v++) {
          assertThat((double) logits[v])
              .as("%s, logit %d", label(c), v)
              .isCloseTo(expected.get(v).asDouble(), within(1e-4));
        }
      }
    }
  }

  @Test
  void twentyFourMixedRequestsEqualOneAtATimeWithOneAdapterPerStep() throws Exception {
    List<JsonNode> mix = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      mix.add(cases.get(i % cases.size()));
    }
    List<int[]> alone = new ArrayList<>();
    try (Served s = serve(declared(2), 512, 1)) {
      for (JsonNode c : mix) {
        OutputCollector out = new OutputCollector();
        s.engine.submit(s.request("a", ints(c.get("prompt_ids")), adapter(c), 20), out);
        alone.add(out.await().tokens());
      }
    }
    try (Served s = serve(declared(1), 512, 24)) {
      List<OutputCollector> outs = new ArrayList<>();
      for (int i = 0; i < mix.size(); i++) {
        OutputCollector out = new OutputCollector();
        JsonNode c = mix.get(i);
        s.engine.submit(s.request("b" + i, ints(c.get("prompt_ids")), adapter(c), 20), out);
        outs.add(out);
      }
      for (int i = 0; i < mix.size(); i++) {
        assertThat(outs.get(i).await().tokens())
            .as("request %d (%s)", i, label(mix.get(i)))
            .containsExactly(alone.get(i));
      }
      assertThat(s.recorder.maxAdaptersPerStep.get()).isEqualTo(1);
      assertThat(s.recorder.stepsMixingBaseAndAdapter.get()).isPositive();
      s.assertIdle();
    }
  }

  @Test
  void dynamicAdaptersLoadOnFirstRequestAndTheIdleOnesAreEvictedFromTheDevice() throws Exception {
    Path dynamic = tmp.resolve("adapters");
    for (String name : List.of("d-shouty", "d-plain", "d-shouty-2")) {
      Path dir = Files.createDirectories(dynamic.resolve(name));
      Path src = ADAPTERS.resolve(name.contains("shouty") ? "shouty" : "plain");
      for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
        Files.copy(src.resolve(f), dir.resolve(f));
      }
    }
    LoraSpec spec = new LoraSpec();
    spec.setDynamicLoadingPath("file:" + dynamic);
    spec.setMaxLoadedAdapters(2);
    spec.setMaxLorasPerBatch(2);
    spec.setMaxLoraRank(8);
    JsonNode shouty = caseOf("shouty");
    JsonNode plain = caseOf("plain");
    try (Served s = serve(spec, 256, 8)) {
      assertThat(s.registry.names()).isEmpty();
      for (String name : List.of("d-shouty", "d-plain", "d-shouty-2")) {
        JsonNode c = name.contains("shouty") ? shouty : plain;
        OutputCollector out = new OutputCollector();
        s.engine.submit(s.request("d", ints(c.get("prompt_ids")), name, 32), out);
        assertThat(out.await().tokens()).as(name).containsExactly(ints(c.get("greedy_ids")));
        assertThat(s.executor.adaptersOnDevice()).isLessThanOrEqualTo(2);
      }
      assertThat(s.registry.names()).containsExactly("d-plain", "d-shouty-2");
      assertThat(s.executor.adaptersOnDevice()).isEqualTo(2);
      s.registry.unload("d-plain");
      assertThat(s.executor.adaptersOnDevice()).isEqualTo(1);
    }
  }

  private JsonNode caseOf(String adapter) {
    for (JsonNode c : cases) {
      if (adapter.equals(adapter(c))) {
        return c;
      }
    }
    throw new IllegalStateException("no reference case for " + adapter);
  }

  private static LoraSpec declared(int maxLorasPerBatch) {
    LoraSpec spec = new LoraSpec();
    spec.setAdapters(
        new ArrayList<>(
            List.of(
                new LoraAdapterSpec("shouty", "file:" + ADAPTERS.resolve("shouty")),
                new LoraAdapterSpec("plain", "file:" + ADAPTERS.resolve("plain")))));
    spec.setMaxLorasPerBatch(maxLorasPerBatch);
    spec.setMaxLoraRank(8);
    return spec;
  }

  private Served serve(LoraSpec spec, int blocks, int maxSeqs) {
    TransformerExecutor executor =
        HostWeights.load(modelDir, "auto").executorOn(new CpuBackend(), blocks);
    ModelResolver resolver = new ModelResolver(HubSettings.fromEnv(Map.of()), tmp.resolve("none"));
    AdapterRegistry registry =
        AdapterRegistry.start(
            spec, executor.config(), AdapterLocator.of(resolver), executor::releaseAdapter);
    StepRecorder recorder = new StepRecorder(executor);
    EngineConfig config =
        new EngineConfig(
            maxSeqs,
            64,
            512,
            blocks,
            executor.blockSize(),
            true,
            Set.of(),
            spec.effectiveMaxLorasPerBatch(),
            EngineConfig.defaultMaxWaiting(maxSeqs),
            0);
    return new Served(executor, registry, recorder, new LlmEngine(config, recorder, tokenizer));
  }

  private static String adapter(JsonNode c) {
    return c.get("adapter").isNull() ? null : c.get("adapter").asText();
  }

  private static String label(JsonNode c) {
    return (adapter(c) == null ? "base" : adapter(c)) + " on " + c.get("prompt").asText();
  }

  private static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }

  /** Wraps the executor to record how many distinct adapters each step carried. */
  private static final class StepRecorder implements ModelExecutor {
    final TransformerExecutor inner;
    final AtomicInteger maxAdaptersPerStep = new AtomicInteger();
    final AtomicInteger stepsMixingBaseAndAdapter = new AtomicInteger();

    StepRecorder(TransformerExecutor inner) {
      this.inner = inner;
    }

    @Override
    public float[][] execute(List<SequenceChunk> batch) {
      Set<Object> adapters = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      boolean base = false;
      for (SequenceChunk c : batch) {
        if (c.adapter() == null) {
          base = true;
        } else {
          adapters.add(c.adapter());
        }
      }
      maxAdaptersPerStep.accumulateAndGet(adapters.size(), Math::max);
      if (base && !adapters.isEmpty()) {
        stepsMixingBaseAndAdapter.incrementAndGet();
      }
      return inner.execute(batch);
    }

    @Override
    public int vocabSize() {
      return inner.vocabSize();
    }

    @Override
    public int blockSize() {
      return inner.blockSize();
    }

    @Override
    public int numKvBlocks() {
      return inner.numKvBlocks();
    }

    @Override
    public int maxModelLen() {
      return inner.maxModelLen();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** An engine with its registry and executor, closed together. */
  private record Served(
      TransformerExecutor executor,
      AdapterRegistry registry,
      StepRecorder recorder,
      LlmEngine engine)
      implements AutoCloseable {

    GenerationRequest request(String id, int[] prompt, String adapter, int maxTokens) {
      AdapterLease lease = adapter == null ? null : registry.acquire(adapter);
      return new GenerationRequest(
          id + "-" + IDS.incrementAndGet(),
          prompt,
          SamplingParams.greedy(maxTokens),
          System.nanoTime(),
          lease,
          RequestGroup.single());
    }

    void assertIdle() {
      engine.drain(60_000);
      assertThat(engine.core().kv().usage()).isZero();
    }

    @Override
    public void close() {
      engine.close();
      executor.close();
    }
  }
}
