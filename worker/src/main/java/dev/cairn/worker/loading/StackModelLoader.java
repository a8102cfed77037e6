package dev.cairn.worker.loading;

import dev.cairn.worker.config.WorkerConfig;
import dev.cairn.worker.server.ChatRenderer;
import dev.cairn.worker.server.LoadProgressListener;
import dev.cairn.worker.server.ModelLoader;
import dev.cairn.worker.server.SamplingDefaults;
import dev.cairn.worker.server.ServedModel;
import dev.cairn.worker.server.StructuredOutputs;
import dev.cairn.worker.server.TemplateRenderer;
import dev.cairn.worker.source.LoadProgress;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.tokenizer.ChatTemplate;
import dev.cairn.worker.tokenizer.GenerationConfig;
import dev.cairn.worker.tokenizer.HfTokenizer;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link ModelLoader}: resolves the source (downloading hf:// models), picks the
 * backend, and builds the {@link ModelStack}; download progress is forwarded to the health endpoint
 * and the {@code cairn_model_load_progress_ratio} gauge while it runs.
 */
@ApplicationScoped
public class StackModelLoader implements ModelLoader {

  // Downloading is most of a cold start; reading weights and starting the engine is the rest.
  private static final double DOWNLOAD_SHARE = 0.9;

  private final MeterRegistry registry;
  private volatile ModelStack stack;

  StackModelLoader(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public ServedModel load(WorkerConfig config, LoadProgressListener listener) {
    LoadProgress progress = new LoadProgress();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("cairn-load-progress").daemon().unstarted(r));
    ticker.scheduleAtFixedRate(
        () ->
            listener.update(
                DOWNLOAD_SHARE * progress.ratio(), phase(progress, config.modelSource())),
        0,
        500,
        TimeUnit.MILLISECONDS);
    try {
      BackendPlacement placement = BackendChoice.select(config.spec());
      ModelStack loaded =
          ModelStack.load(
              config.modelId(),
              config.spec(),
              ModelResolver.fromEnvironment(),
              placement,
              progress,
              registry);
      stack = loaded;
      listener.update(1.0, "ready");
      return new ServedModel(
          config.modelId(),
          loaded.tokenizer(),
          renderer(loaded.chatTemplate()),
          loaded.engine(),
          defaults(loaded.generation()),
          loaded.engine().maxModelLen(),
          Instant.now().getEpochSecond(),
          loaded.adapters(),
          structuredOutputs(config.modelId(), loaded));
    } finally {
      ticker.shutdownNow();
    }
  }

  /** What the load is doing now, for the listener. */
  static String phase(LoadProgress progress, String source) {
    if (progress.isWarmingUp()) {
      return "warming up";
    }
    return progress.isComplete() ? "loading weights" : "fetching " + source;
  }

  /** Structured output over the model's byte vocabulary; EOS ids end a complete output. */
  private StructuredOutputs structuredOutputs(String modelId, ModelStack loaded) {
    TokenVocabulary vocab =
        TokenVocabulary.fromTokenizerJson(loaded.directory().path().resolve(HfTokenizer.FILE));
    return new StructuredOutputs(vocab, loaded.generation().eosTokenIds(), registry, modelId);
  }

  /** Models without a chat template still serve completions; chat then answers 400. */
  static ChatRenderer renderer(ChatTemplate template) {
    if (template != null) {
      return new TemplateRenderer(template);
    }
    return (messages, addGenerationPrompt) -> {
      throw new IllegalArgumentException(
          "this model has no chat template (tokenizer_config.json chat_template): use"
              + " /v1/completions");
    };
  }

  static SamplingDefaults defaults(GenerationConfig g) {
    return new SamplingDefaults(
        temperature(g),
        g.topP().isPresent() ? g.topP().getAsDouble() : null,
        g.topK().isPresent() ? g.topK().getAsInt() : null,
        null,
        g.repetitionPenalty().isPresent() ? g.repetitionPenalty().getAsDouble() : null,
        g.maxNewTokens().isPresent() ? g.maxNewTokens().getAsInt() : null);
  }

  /**
   * 0 when the authors meant greedy decoding ({@code do_sample: false}), else the declared
   * temperature, or none. Boxed on every path: a conditional mixing {@code null} with a {@code
   * double} unboxes the null and throws, which stopped models without a temperature from loading.
   */
  static Double temperature(GenerationConfig g) {
    if (!g.doSample().orElse(true)) {
      return 0.0;
    }
    return g.temperature().isPresent() ? Double.valueOf(g.temperature().getAsDouble()) : null;
  }

  @PreDestroy
  void close() {
    ModelStack s = stack;
    if (s != null) {
      s.close();
    }
  }
}
