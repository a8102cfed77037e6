package dev.cairn.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.operator.replicas.StatusDesiredReplicas;
import dev.cairn.operator.testing.DeployManifests;
import dev.cairn.operator.testing.PodSecurityStandard;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Worker pods (every fixture) and the operator's own pod meet Pod Security "restricted". */
class PodSecurityRestrictedTest {
  private final WorkerDeploymentModel deployments =
      new WorkerDeploymentModel(WorkerSettings.defaults("cairn-worker:0.1.0"));

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "a10g", "pvc", "overrides", "lora"})
  void workerPodsAreRestricted(String fixture) {
    var llmd = Golden.fixture(fixture);
    Deployment d = deployments.desired(llmd, StatusDesiredReplicas.compute(llmd));
    assertThat(PodSecurityStandard.restrictedViolations(d.getSpec().getTemplate().getSpec()))
        .isEmpty();
  }

  @Test
  void theOperatorPodIsRestricted() {
    Deployment d = (Deployment) DeployManifests.one("operator.yaml", "Deployment");
    assertThat(PodSecurityStandard.restrictedViolations(d.getSpec().getTemplate().getSpec()))
        .isEmpty();
  }

  /** The checker itself: a pod breaking each control gets one message per control. */
  @Test
  void theCheckerFindsEveryBrokenControl() {
    PodSpec bad =
        new PodSpecBuilder()
            .withHostNetwork(true)
            .addNewVolume()
            .withName("host")
            .withNewHostPath()
            .withPath("/")
            .endHostPath()
            .endVolume()
            .withContainers(
                new ContainerBuilder()
                    .withName("c")
                    .withNewSecurityContext()
                    .withPrivileged(true)
                    .withRunAsUser(0L)
                    .withNewCapabilities()
                    .addToAdd("SYS_ADMIN")
                    .endCapabilities()
                    .endSecurityContext()
                    .addNewPort()
                    .withContainerPort(80)
                    .withHostPort(80)
                    .endPort()
                    .build())
            .build();
    assertThat(PodSecurityStandard.restrictedViolations(bad))
        .anyMatch(m -> m.startsWith("host namespaces"))
        .anyMatch(m -> m.contains("hostPath is not allowed"))
        .anyMatch(m -> m.endsWith("privileged"))
        .anyMatch(m -> m.contains("allowPrivilegeEscalation"))
        .anyMatch(m -> m.contains("runAsNonRoot"))
        .anyMatch(m -> m.contains("runAsUser must not be 0"))
        .anyMatch(m -> m.contains("seccompProfile"))
        .anyMatch(m -> m.contains("drop ALL"))
        .anyMatch(m -> m.contains("SYS_ADMIN"))
        .anyMatch(m -> m.contains("hostPort 80"));
  }
}
