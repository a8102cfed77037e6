package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.status.TestPods;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Worker pods in trouble, as the scheduler and kubelet report them, become Degraded reasons. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PodConditionsIT {
  @Inject KubernetesClient client;

  private Condition degradedBy(String prefix, BiFunction<String, String, Pod> pod, String reason) {
    OperatorHarness h = new OperatorHarness(client, prefix);
    h.create(
        "w",
        """
        spec:
          model: {source: "hf://Qwen/Qwen2.5-0.5B-Instruct"}
          accelerator: {type: A10G, count: 1}
        """);
    h.awaitDeployment("w", d -> true);
    h.awaitCondition("w", Conditions.DEGRADED, "False", Reason.AS_EXPECTED);
    h.createPod(pod.apply("w-5d8f-x1", "w"));
    Condition c = h.awaitCondition("w", Conditions.DEGRADED, "True", reason);
    await().atMost(OperatorHarness.WAIT).until(() -> h.hasEvent(EventRecorder.WARNING, reason));
    assertThat(h.condition("w", Conditions.READY).orElseThrow().getStatus()).isEqualTo("False");
    return c;
  }

  @Test
  void unschedulableSaysWhichResourceIsMissing() {
    Condition c = degradedBy("unsched", TestPods::unschedulable, Reason.UNSCHEDULABLE);
    assertThat(c.getMessage())
        .contains("pod w-5d8f-x1 cannot be scheduled")
        .contains("3 Insufficient nvidia.com/gpu");
  }

  @Test
  void crashLoop() {
    Condition c = degradedBy("crash", TestPods::crashLooping, Reason.CRASH_LOOP);
    assertThat(c.getMessage()).contains("crash-looping (restarts: 4");
  }

  @Test
  void oomKilled() {
    Condition c = degradedBy("oom", TestPods::oomKilled, Reason.OOM_KILLED);
    assertThat(c.getMessage()).contains("exceeding its memory limit");
  }

  @Test
  void imagePull() {
    Condition c = degradedBy("pull", TestPods::imagePullFailing, Reason.IMAGE_PULL_FAILED);
    assertThat(c.getMessage()).contains("cannot pull image cairn-worker:missing");
  }

  @Test
  void recoveryClearsDegraded() {
    OperatorHarness h = new OperatorHarness(client, "recover");
    h.create("w", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("w", d -> true);
    Pod bad = h.createPod(TestPods.crashLooping("w-1", "w"));
    h.awaitCondition("w", Conditions.DEGRADED, "True", Reason.CRASH_LOOP);
    client.pods().inNamespace(h.namespace).resource(bad).delete();
    h.awaitCondition("w", Conditions.DEGRADED, "False", Reason.AS_EXPECTED);
  }

  @Test
  void loadingPodsShowTheirProgress() {
    OperatorHarness h = new OperatorHarness(client, "loading");
    h.create("w", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("w", d -> true);
    FakeModelLoadProgress.BY_POD.put("w-loading-1", 0.45);
    h.createPod(TestPods.loading("w-loading-1", "w", "10.1.2.3"));
    Condition c = h.awaitCondition("w", Conditions.PROGRESSING, "True", Reason.LOADING_MODEL);
    assertThat(c.getMessage()).isEqualTo("loading model: 45%");
  }
}
