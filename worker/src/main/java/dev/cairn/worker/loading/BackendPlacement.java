package dev.cairn.worker.loading;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.executor.TransformerExecutor;
import io.micrometer.core.instrument.MeterRegistry;

/** Puts a model's prepared weights and its KV pool on one backend (the CPU, or the pod's GPUs). */
interface BackendPlacement {

  /** "cpu", "cuda" — for log lines. */
  String name();

  /**
   * Uploads the weights and sizes the KV pool. The executor owns {@code weights} once returned;
   * when this throws, the caller still does.
   *
   * @param kvCacheBytes spec.engine.kvCacheMemory in bytes, or 0 when unset (backend default)
   * @param maxModelLen the pool must hold at least one sequence this long
   * @param kvDtype the pool's element type, F32 or BF16 (spec.engine.kvCacheDtype)
   */
  TransformerExecutor place(HostWeights weights, long kvCacheBytes, int maxModelLen, DType kvDtype);

  /** Device metrics (GPU memory) on the registry, when the backend has any. */
  default void bindMetrics(MeterRegistry registry) {}
}
