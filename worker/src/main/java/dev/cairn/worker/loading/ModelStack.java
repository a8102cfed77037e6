package dev.cairn.worker.loading;

import dev.cairn.api.v1alpha1.EngineSpec;
import dev.cairn.api.v1alpha1.KvCacheDtype;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.engine.metrics.CacheConfigInfo;
import dev.cairn.worker.engine.metrics.EngineMetrics;
import dev.cairn.worker.engine.metrics.LoraRequestsInfo;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.lora.AdapterLocator;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.source.LoadProgress;
import dev.cairn.worker.source.ModelDirectory;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.tokenizer.ChatTemplate;
import dev.cairn.worker.tokenizer.GenerationConfig;
import dev.cairn.worker.tokenizer.HfTokenizer;
import dev.cairn.worker.tokenizer.TokenizerConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Everything one served model needs, built from the LLMDeployment spec: source → local directory →
 * tokenizer, chat template, generation defaults → weights on a backend → paged KV pool → engine.
 * Closing it stops the engine and releases the weights and the KV pool.
 *
 * @param modelId the name clients send as "model"
 * @param directory the local model directory
 * @param modelConfig the architecture's shape
 * @param tokenizer encodes prompts and decodes outputs
 * @param chatTemplate renders chat messages (null when the model has no template)
 * @param generation EOS ids and default sampling from generation_config.json
 * @param executor the forward pass and its KV pool
 * @param engine the serving engine
 * @param adapters the LoRA adapters (spec.lora), or null when the spec declares none
 */
public record ModelStack(
    String modelId,
    ModelDirectory directory,
    ModelConfig modelConfig,
    HfTokenizer tokenizer,
    ChatTemplate chatTemplate,
    GenerationConfig generation,
    TransformerExecutor executor,
    LlmEngine engine,
    AdapterRegistry adapters)
    implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ModelStack.class);

  /**
   * Loads the model the spec names: source → config and tokenizer → weights → executor → engine.
   *
   * @param modelId the served model id (spec.model.id or the resource name)
   * @param placement the backend the weights and KV pool go to
   * @param progress follows the download and load
   * @param registry where engine metrics go when spec.logEngineMetrics is on
   * @throws ModelLoadException (or IllegalArgumentException) with a message naming what is wrong
   */
  public static ModelStack load(
      String modelId,
      LLMDeploymentSpec spec,
      ModelResolver resolver,
      BackendPlacement placement,
      LoadProgress progress,
      MeterRegistry registry) {
    EngineSpec engineSpec = spec.getEngine() == null ? new EngineSpec() : spec.getEngine();
    ModelDirectory dir = resolver.resolve(spec.getModel().getSource(), progress);
    ModelConfig config = ModelConfig.load(dir.path());
    int maxModelLen = maxModelLen(engineSpec, config);
    HfTokenizer tokenizer = HfTokenizer.load(dir.path());
    TransformerExecutor executor = null;
    try {
      checkVocabulary(tokenizer, config, dir);
      TokenizerConfig tokenizerConfig = TokenizerConfig.load(dir.path());
      GenerationConfig generation = GenerationConfig.load(dir.path(), tokenizerConfig, tokenizer);
      ChatTemplate template = chatTemplate(tokenizerConfig);
      HostWeights weights =
          HostWeights.load(dir.path(), config, dtype(engineSpec), quant(engineSpec));
      DType embedDtype = weights.tensors().embed().dtype();
      String weightDtype = embedDtype.userName();
      DType kvDtype = kvCacheDtype(engineSpec);
      executor = place(weights, engineSpec, placement, maxModelLen, kvDtype);
      placement.bindMetrics(registry);
      AdapterRegistry adapters = adapters(spec, resolver, executor);
      ModelInfoMetric.register(
          registry, config.architecture(), weightDtype, placement.name(), quant(engineSpec));
      boolean metricsOn = spec.engineMetricsEnabled();
      EngineConfig engineConfig =
          new EngineConfig(
              engineSpec.getMaxNumSeqs(),
              engineSpec.getMaxNumBatchedTokens(),
              maxModelLen,
              executor.numKvBlocks(),
              executor.blockSize(),
              !Boolean.FALSE.equals(engineSpec.getEnablePrefixCaching()),
              generation.eosTokenIds(),
              spec.getLora() == null
                  ? Integer.MAX_VALUE
                  : spec.getLora().effectiveMaxLorasPerBatch(),
              maxWaiting(engineSpec),
              engineSpec.getRequestTimeoutSeconds() == null
                  ? 0
                  : engineSpec.getRequestTimeoutSeconds());
      EngineMetrics metrics =
          EngineMetrics.create(
              metricsOn, registry, modelId, maxModelLen, cacheConfigInfo(engineConfig, kvDtype));
      if (metricsOn && adapters != null) {
        metrics =
            new LoraRequestsInfo(
                metrics,
                registry,
                spec.getLora().effectiveMaxLorasPerBatch(),
                System::currentTimeMillis);
      }
      if (!Boolean.FALSE.equals(engineSpec.getWarmup())) {
        progress.markWarmingUp();
        try (WarmupAdapters lora =
            WarmupAdapters.of(
                adapters, spec.getLora(), config, embedDtype, executor::releaseAdapter)) {
          warmUp(modelId, executor, engineConfig, lora.weights());
        }
      }
      LlmEngine engine = new LlmEngine(engineConfig, executor, tokenizer, metrics);
      LOG.infof(
          "Model %s loaded from %s: %s, %d layers, weights %s, quantization %s, backend %s, KV"
              + " pool %d blocks (%d tokens) of %s, max model len %d, engine metrics %s",
          modelId,
          dir.path(),
          config.architecture(),
          config.numLayers(),
          weightDtype,
          quant(engineSpec),
          placement.name(),
          executor.numKvBlocks(),
          (long) executor.numKvBlocks() * executor.blockSize(),
          kvDtype.userName(),
          maxModelLen,
          metricsOn ? "on" : "off");
      return new ModelStack(
          modelId, dir, config, tokenizer, template, generation, executor, engine, adapters);
    } catch (RuntimeException e) {
      if (executor != null) {
        executor.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  /**
   * Loads the declared adapters (a broken one fails the load, naming spec.lora.adapters[i]); their
   * device copies are freed when the registry evicts or unloads them.
   */
  private static AdapterRegistry adapters(
      LLMDeploymentSpec spec, ModelResolver resolver, TransformerExecutor executor) {
    if (spec.getLora() == null) {
      return null;
    }
    AdapterRegistry registry =
        AdapterRegistry.start(
            spec.getLora(),
            executor.config(),
            AdapterLocator.of(resolver),
            executor::releaseAdapter);
    LOG.infof("LoRA adapters loaded: %s", registry.names());
    return registry;
  }

  /**
   * The KV settings vllm:cache_config_info shows, cache_dtype spelled as vLLM's kv_cache_dtype
   * ("float32", "bfloat16"): never "auto", since the pool does not follow the weights' dtype.
   */
  private static CacheConfigInfo cacheConfigInfo(EngineConfig engine, DType kvDtype) {
    return new CacheConfigInfo(
        engine.blockSize(), engine.numKvBlocks(), engine.enablePrefixCaching(), kvDtype.userName());
  }

  /** {@code engine.maxWaitingRequests}, or {@link EngineConfig#defaultMaxWaiting} when unset. */
  private static int maxWaiting(EngineSpec engineSpec) {
    Integer configured = engineSpec.getMaxWaitingRequests();
    return configured != null
        ? configured
        : EngineConfig.defaultMaxWaiting(engineSpec.getMaxNumSeqs());
  }

  /** Runs {@link EngineWarmup} within the engine's limits and logs what it took. */
  private static void warmUp(
      String modelId,
      TransformerExecutor executor,
      EngineConfig engine,
      List<LoraWeights> adapters) {
    EngineWarmup.Report r =
        EngineWarmup.run(
            executor,
            engine.maxNumSeqs(),
            engine.maxNumBatchedTokens(),
            engine.maxModelLen(),
            adapters,
            engine.maxLorasPerBatch());
    LOG.infof(
        "Model %s warmed up in %.1f s: %d rounds of a %d-token prompt (the last %d tokens a chunk"
            + " of their own) and %d decode steps, then %s streams together%s (round times %s ms)",
        modelId,
        r.totalNanos() / 1e9,
        r.roundNanos().size(),
        r.plan().promptTokens(),
        r.plan().promptTail(),
        r.plan().decodeSteps(),
        Arrays.toString(r.plan().streams()),
        r.adapters().isEmpty() ? "" : ", with LoRA adapters " + r.adapters(),
        r.roundNanos().stream().map(n -> String.valueOf(n / 1_000_000)).toList());
  }

  /** The chat template, checked now: a broken one fails the load, and Jinjava warms up here. */
  private static ChatTemplate chatTemplate(TokenizerConfig tokenizerConfig) {
    if (tokenizerConfig.chatTemplate().isEmpty()) {
      return null;
    }
    ChatTemplate template = ChatTemplate.of(tokenizerConfig);
    template.check();
    return template;
  }

  /** The weights, prepared in host memory, placed on the backend with their KV pool. */
  private static TransformerExecutor place(
      HostWeights weights,
      EngineSpec engineSpec,
      BackendPlacement placement,
      int maxModelLen,
      DType kvDtype) {
    Quantity kv = engineSpec.getKvCacheMemory();
    long kvBytes = kv == null ? 0 : Quantity.getAmountInBytes(kv).longValueExact();
    try {
      return placement.place(weights, kvBytes, maxModelLen, kvDtype);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /** The tokenizer must not produce ids past the embedding table. */
  static void checkVocabulary(HfTokenizer tokenizer, ModelConfig config, ModelDirectory dir) {
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new ModelLoadException(
          dir.path().resolve("tokenizer.json")
              + " has "
              + tokenizer.vocabSize()
              + " tokens but the model's embedding has vocab_size "
              + config.vocabSize()
              + ": tokenizer and weights do not belong together");
    }
  }

  private static int maxModelLen(EngineSpec spec, ModelConfig config) {
    int requested = spec.getMaxModelLen() == null ? 0 : spec.getMaxModelLen();
    int native_ = config.maxPositionEmbeddings();
    if (requested <= 0) {
      return native_;
    }
    if (requested > native_) {
      throw new ModelLoadException(
          "spec.engine.maxModelLen "
              + requested
              + " exceeds the model's max_position_embeddings "
              + native_);
    }
    return requested;
  }

  private static String dtype(EngineSpec spec) {
    return spec.getDtype() == null ? "auto" : spec.getDtype().name().toLowerCase(Locale.ROOT);
  }

  /** spec.engine.kvCacheDtype: F32 when unset. */
  static DType kvCacheDtype(EngineSpec spec) {
    return spec.getKvCacheDtype() == KvCacheDtype.BFLOAT16 ? DType.BF16 : DType.F32;
  }

  private static String quant(EngineSpec spec) {
    return spec.getQuantization() == null
        ? "none"
        : spec.getQuantization().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    engine.close();
    executor.close();
    tokenizer.close();
  }
}
