package dev.cairn.worker.loading;

import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** Puts a model's weights and KV pool on one backend (the CPU, or the pod's GPUs). */
interface ExecutorLoader {

  /** "cpu", "cuda" — for log lines. */
  String name();

  /**
   * Loads the weights and sizes the KV pool.
   *
   * @param kvCacheBytes spec.engine.kvCacheMemory in bytes, or 0 when unset (backend default)
   * @param maxModelLen the pool must hold at least one sequence this long
   */
  TransformerExecutor load(
      Path dir, ModelConfig config, String dtype, long kvCacheBytes, int maxModelLen);

  /** Device metrics (GPU memory) on the registry, when the backend has any. */
  default void bindMetrics(MeterRegistry registry) {}
}
