package dev.cairn.worker.loading;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.backend.cuda.CudaProbe;
import org.jboss.logging.Logger;

/**
 * Picks the compute backend: spec.engine.backend when set, else cuda when the probe finds a usable
 * GPU, else cpu; the log line says which and why.
 */
final class BackendChoice {
  private static final Logger LOG = Logger.getLogger(BackendChoice.class);

  private BackendChoice() {}

  static BackendPlacement select(LLMDeploymentSpec spec) {
    BackendKind kind =
        spec.getEngine() == null || spec.getEngine().getBackend() == null
            ? BackendKind.AUTO
            : spec.getEngine().getBackend();
    if (kind == BackendKind.CPU) {
      LOG.info("backend cpu: spec.engine.backend is cpu");
      return new CpuPlacement();
    }
    CudaProbe.Result probe = CudaProbe.probe();
    if (kind == BackendKind.CUDA && !probe.usable()) {
      throw new IllegalStateException(
          "spec.engine.backend is cuda but no GPU is usable: " + probe.reason());
    }
    LOG.info(probe.logLine());
    if (!probe.usable()) {
      return new CpuPlacement();
    }
    AcceleratorSpec acc = spec.getAccelerator();
    int gpus = acc == null || acc.isCpu() || acc.getCount() == null ? 1 : acc.getCount();
    if (gpus > probe.devices().size()) {
      throw new IllegalStateException(
          "spec.accelerator.count is "
              + gpus
              + " but only "
              + probe.devices().size()
              + " usable GPU(s) are visible");
    }
    Double util = spec.getEngine() == null ? null : spec.getEngine().getGpuMemoryUtilization();
    return new CudaPlacement(gpus, util == null ? CudaPlacement.DEFAULT_MEMORY_FRACTION : util);
  }
}
