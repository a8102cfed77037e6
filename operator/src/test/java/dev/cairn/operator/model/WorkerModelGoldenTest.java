package dev.cairn.operator.model;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.replicas.StatusDesiredReplicas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker Deployment and Service of each fixture, against its golden YAML; {@code to-zero}
 * scales to zero, so its Service has no selector.
 */
class WorkerModelGoldenTest {
  private final WorkerDeploymentModel deployments =
      new WorkerDeploymentModel(WorkerSettings.defaults("cairn-worker:0.1.0"));

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "a10g", "pvc", "overrides", "lora"})
  void deployment(String fixture) {
    LLMDeployment llmd = Golden.fixture(fixture);
    Golden.assertMatches(
        deployments.desired(llmd, StatusDesiredReplicas.compute(llmd)), fixture + "-deployment");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "a10g", "to-zero"})
  void service(String fixture) {
    Golden.assertMatches(WorkerServiceModel.desired(Golden.fixture(fixture)), fixture + "-service");
  }
}
