package dev.cairn.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.replicas.StatusDesiredReplicas;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two LLMDeployments serving the same model id in one namespace get their own Deployment and
 * Service, and neither Service selects the other's pods: both work side by side.
 */
class SameModelIdTest {
  private final WorkerDeploymentModel deployments =
      new WorkerDeploymentModel(WorkerSettings.defaults("cairn-worker:0.1.0"));

  @Test
  void eachHasItsOwnServiceSelectingOnlyItsPods() {
    LLMDeployment a = named("chat-a");
    LLMDeployment b = named("chat-b");
    assertThat(a.getSpec().getModel().getId()).isEqualTo(b.getSpec().getModel().getId());

    Deployment da = deployments.desired(a, StatusDesiredReplicas.compute(a));
    Deployment db = deployments.desired(b, StatusDesiredReplicas.compute(b));
    Service sa = WorkerServiceModel.desired(a);
    Service sb = WorkerServiceModel.desired(b);

    assertThat(da.getMetadata().getName()).isNotEqualTo(db.getMetadata().getName());
    assertThat(sa.getMetadata().getName()).isNotEqualTo(sb.getMetadata().getName());
    Map<String, String> podsA = da.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> podsB = db.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(selects(sa.getSpec().getSelector(), podsA)).isTrue();
    assertThat(selects(sa.getSpec().getSelector(), podsB)).isFalse();
    assertThat(selects(sb.getSpec().getSelector(), podsB)).isTrue();
    assertThat(selects(sb.getSpec().getSelector(), podsA)).isFalse();
    assertThat(selects(da.getSpec().getSelector().getMatchLabels(), podsB)).isFalse();
  }

  private static LLMDeployment named(String name) {
    LLMDeployment llmd = Golden.fixture("cpu");
    llmd.getSpec().getModel().setId("shared-model");
    llmd.getMetadata().setName(name);
    return llmd;
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
