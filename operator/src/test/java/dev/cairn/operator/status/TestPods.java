package dev.cairn.operator.status;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Worker pods in the states the status reads, as the kubelet and scheduler report them. */
public final class TestPods {
  private TestPods() {}

  public static PodBuilder base(String name, String instance) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app.kubernetes.io/name", "cairn-worker")
        .addToLabels("app.kubernetes.io/instance", instance)
        .addToLabels("app.kubernetes.io/managed-by", "cairn-operator")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("worker")
        .withImage("cairn-worker:0.1.0")
        .withNewResources()
        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("4Gi"))
        .endResources()
        .endContainer()
        .endSpec();
  }

  /** A running, ready worker pod at {@code ip}: what the autoscaler scrapes. */
  public static Pod ready(String name, String instance, String ip) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  public static Pod unschedulable(String name, String instance) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Pending")
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("False")
        .withReason("Unschedulable")
        .withMessage(
            "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are"
                + " available: 3 No preemption victims found for incoming pod.")
        .endCondition()
        .endStatus()
        .build();
  }

  public static Pod crashLooping(String name, String instance) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Running")
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("worker")
                .withImage("cairn-worker:0.1.0")
                .withRestartCount(4)
                .withReady(false)
                .withStarted(false)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage("back-off 1m20s restarting failed container")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .endTerminated()
                .endLastState()
                .build())
        .endStatus()
        .build();
  }

  public static Pod oomKilled(String name, String instance) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Running")
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("worker")
                .withImage("cairn-worker:0.1.0")
                .withRestartCount(2)
                .withReady(false)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(137)
                .withReason("OOMKilled")
                .endTerminated()
                .endLastState()
                .build())
        .endStatus()
        .build();
  }

  public static Pod imagePullFailing(String name, String instance) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Pending")
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("worker")
                .withImage("cairn-worker:missing")
                .withRestartCount(0)
                .withReady(false)
                .withNewState()
                .withNewWaiting()
                .withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"cairn-worker:missing\"")
                .endWaiting()
                .endState()
                .build())
        .endStatus()
        .build();
  }

  /** Started (startup probe passed) but not ready: loading the model. */
  public static Pod loading(String name, String instance, String ip) {
    return base(name, instance)
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("worker")
                .withImage("cairn-worker:0.1.0")
                .withRestartCount(0)
                .withStarted(true)
                .withReady(false)
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-01-01T00:00:00Z")
                .endRunning()
                .endState()
                .build())
        .endStatus()
        .build();
  }
}
