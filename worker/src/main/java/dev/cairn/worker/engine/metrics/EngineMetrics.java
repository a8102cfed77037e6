package dev.cairn.worker.engine.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * What the engine reports for vLLM-compatible metrics. Chosen once at start: {@link #NOOP} when
 * engine metrics are off, so the step loop records nothing and reads no clocks for them.
 */
public interface EngineMetrics {

  /** Whether anything is recorded (the engine skips timestamping when not). */
  boolean enabled();

  /** After each step. */
  void onStep(StepStats stats);

  /** A request produced its first token {@code seconds} after HTTP arrival. */
  void onFirstToken(double seconds);

  /** A later token came {@code seconds} after the previous one. */
  void onInterToken(double seconds);

  /** A request finished (any reason). */
  void onFinished(FinishedStats stats);

  /**
   * After each step with LoRA adapters configured: the adapters of the running and the waiting
   * requests, each once, in queue order.
   */
  default void onLoraStep(List<String> running, List<String> waiting) {}

  /** Whether {@link #onLoraStep} records anything (the engine skips collecting names if not). */
  default boolean tracksLora() {
    return false;
  }

  /**
   * The last of a prompt's {@code n} choices finished; {@code maxGenerationTokens} is the most
   * tokens any of them generated (vLLM's per-parent-request figures).
   */
  void onPromptFinished(int n, int maxGenerationTokens);

  /** Engine metrics switched off. */
  EngineMetrics NOOP =
      new EngineMetrics() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void onStep(StepStats stats) {}

        @Override
        public void onFirstToken(double seconds) {}

        @Override
        public void onInterToken(double seconds) {}

        @Override
        public void onFinished(FinishedStats stats) {}

        @Override
        public void onPromptFinished(int n, int maxGenerationTokens) {}
      };

  /** The vLLM metrics on {@code registry} when {@code enabled}, else {@link #NOOP}. */
  static EngineMetrics create(
      boolean enabled,
      MeterRegistry registry,
      String modelName,
      int maxModelLen,
      CacheConfigInfo cacheConfig) {
    return enabled ? new VllmEngineMetrics(registry, modelName, maxModelLen, cacheConfig) : NOOP;
  }
}
