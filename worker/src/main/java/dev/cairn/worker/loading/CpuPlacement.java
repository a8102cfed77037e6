package dev.cairn.worker.loading;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.TransformerExecutor;

/** Weights used in place (memory-mapped), the KV pool in native memory, Vector API kernels. */
final class CpuPlacement implements BackendPlacement {

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public TransformerExecutor place(
      HostWeights weights, long kvCacheBytes, int maxModelLen, DType kvDtype) {
    int blocks = KvPoolSize.host(weights.config(), kvDtype, kvCacheBytes, maxModelLen);
    return weights.executorOn(new CpuBackend(), blocks, kvDtype);
  }
}
