package dev.cairn.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.Conditions.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodDiagnosisTest {

  @Test
  void unschedulableQuotesTheScheduler() {
    PodProblem p = PodDiagnosis.diagnose(List.of(TestPods.unschedulable("w-1", "x"))).orElseThrow();
    assertThat(p.reason()).isEqualTo(Reason.UNSCHEDULABLE);
    assertThat(p.message())
        .startsWith(
            "pod w-1 cannot be scheduled: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
  }

  @Test
  void crashLoopNamesRestartsAndExitCode() {
    PodProblem p = PodDiagnosis.diagnose(List.of(TestPods.crashLooping("w-1", "x"))).orElseThrow();
    assertThat(p.reason()).isEqualTo(Reason.CRASH_LOOP);
    assertThat(p.message())
        .isEqualTo(
            "container worker in pod w-1 is crash-looping (restarts: 4, last exit code 1 (Error));"
                + " see kubectl logs w-1 --previous");
  }

  @Test
  void oomKilledWinsOverTheCrashLoopItCauses() {
    PodProblem p = PodDiagnosis.diagnose(List.of(TestPods.oomKilled("w-1", "x"))).orElseThrow();
    assertThat(p.reason()).isEqualTo(Reason.OOM_KILLED);
    assertThat(p.message())
        .contains("exceeding its memory limit of 4Gi")
        .contains("spec.worker.resources.limits.memory");
  }

  @Test
  void imagePullNamesTheImage() {
    PodProblem p =
        PodDiagnosis.diagnose(List.of(TestPods.imagePullFailing("w-1", "x"))).orElseThrow();
    assertThat(p.reason()).isEqualTo(Reason.IMAGE_PULL_FAILED);
    assertThat(p.message()).contains("cannot pull image cairn-worker:missing");
  }

  @Test
  void theWorstProblemIsReportedWithACountOfTheOthers() {
    PodProblem p =
        PodDiagnosis.diagnose(
                List.of(
                    TestPods.unschedulable("w-2", "x"),
                    TestPods.imagePullFailing("w-1", "x"),
                    TestPods.crashLooping("w-3", "x")))
            .orElseThrow();
    assertThat(p.reason()).isEqualTo(Reason.IMAGE_PULL_FAILED);
    assertThat(p.message()).endsWith("(and 2 more pods failing)");
  }

  @Test
  void healthyAndLoadingPodsAreNoProblem() {
    assertThat(PodDiagnosis.diagnose(List.of(TestPods.loading("w-1", "x", "10.0.0.1")))).isEmpty();
    assertThat(PodDiagnosis.diagnose(List.of())).isEmpty();
  }
}
