package dev.cairn.worker.runtime;

import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.cpu.CpuBackend;
import org.jboss.logging.Logger;

/** Picks the compute backend from spec.engine.backend and what the machine has. */
final class BackendChoice {
  private static final Logger LOG = Logger.getLogger(BackendChoice.class);

  private BackendChoice() {}

  static Backend select(LLMDeploymentSpec spec) {
    BackendKind kind =
        spec.getEngine() == null || spec.getEngine().getBackend() == null
            ? BackendKind.AUTO
            : spec.getEngine().getBackend();
    if (kind == BackendKind.CUDA) {
      throw new IllegalStateException(
          "spec.engine.backend is cuda but this worker build has no CUDA backend");
    }
    CpuBackend cpu = new CpuBackend();
    LOG.infof(
        "Backend %s with %d threads (%s)",
        cpu.name(),
        cpu.threads(),
        kind == BackendKind.CPU ? "spec.engine.backend: cpu" : "no GPU backend in this build");
    return cpu;
  }
}
