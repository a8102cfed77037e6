package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CudaProbeTest {

  @Test
  void probeAnswersWithAReasonInsteadOfCrashing() {
    CudaProbe.Result r = CudaProbe.probe();

    assertThat(r.reason()).isNotBlank();
    assertThat(r.logLine()).startsWith(r.usable() ? "backend cuda: " : "backend cpu: ");
    if (r.usable()) {
      assertThat(r.devices()).isNotEmpty();
      assertThat(r.devices()).allMatch(d -> d.computeMajor() >= CudaProbe.MIN_COMPUTE_MAJOR);
    } else {
      assertThat(r.devices()).isEmpty();
    }
    System.out.println(r.logLine());
  }

  @Test
  void probeRunsOnceAndCachesItsAnswer() {
    assertThat(CudaProbe.probe()).isSameAs(CudaProbe.probe());
  }

  @Test
  void linkageFailuresAreExplainedInWords() {
    assertThat(
            CudaProbe.linkageReason(
                new UnsatisfiedLinkError(
                    "/tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file")))
        .isEqualTo("no CUDA driver (libcuda.so.1 not found)");
    assertThat(CudaProbe.linkageReason(new NoClassDefFoundError("jcuda/driver/JCudaDriver")))
        .startsWith("JCuda driver bindings unavailable");
    assertThat(CudaProbe.linkageReason(new UnsatisfiedLinkError("no JCudaDriver in path")))
        .isEqualTo("JCuda native library failed to load: no JCudaDriver in path");
  }
}
