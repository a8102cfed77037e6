package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.BackendKind;
import dev.cairn.api.v1alpha1.EngineSpec;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.worker.backend.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {

  private static LLMDeploymentSpec spec(BackendKind kind, String accelerator, int count) {
    LLMDeploymentSpec spec = new LLMDeploymentSpec();
    spec.setAccelerator(new AcceleratorSpec(accelerator, count));
    EngineSpec engine = new EngineSpec();
    engine.setBackend(kind);
    spec.setEngine(engine);
    return spec;
  }

  @Test
  void cpuWhenTheSpecSaysSo() {
    assertThat(BackendChoice.select(spec(BackendKind.CPU, "A10G", 1)).name()).isEqualTo("cpu");
  }

  @Test
  void autoFallsBackToCpuWithoutAGpu() {
    assumeFalse(CudaProbe.probe().usable(), "a GPU is visible here");
    assertThat(BackendChoice.select(spec(BackendKind.AUTO, "cpu", 0)).name()).isEqualTo("cpu");
  }

  @Test
  void cudaDemandedWithoutAGpuIsAClearError() {
    assumeFalse(CudaProbe.probe().usable(), "a GPU is visible here");
    assertThatThrownBy(() -> BackendChoice.select(spec(BackendKind.CUDA, "A10G", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("spec.engine.backend is cuda")
        .hasMessageContaining(CudaProbe.probe().reason());
  }
}
