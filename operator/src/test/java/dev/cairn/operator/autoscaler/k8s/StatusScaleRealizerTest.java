package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.Direction;
import dev.cairn.operator.autoscaler.ScalingDecision;
import dev.cairn.operator.events.EventRecorder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The realizer against the Fabric8 mock API server in CRUD mode (status subresource patches). */
@EnableKubernetesMockClient(crud = true)
class StatusScaleRealizerTest {
  private static final DeploymentKey KEY = new DeploymentKey("ns", "auto");
  private static final Instant AT = Instant.parse("2026-03-01T10:15:30.700Z");

  KubernetesClient client;
  private final List<String> events = new ArrayList<>();
  private final LiveDecisions decisions = new LiveDecisions();
  private StatusScaleRealizer realizer;

  @BeforeEach
  void setUp() throws IOException {
    Path crd = Path.of("..", "crds", "llmdeployments.llm.cairn.dev-v1.yml");
    try (InputStream in = new FileInputStream(crd.toFile())) {
      client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
    }
    EventRecorder recorder =
        (llmd, type, reason, message) ->
            events.add(llmd.getMetadata().getName() + " " + type + " " + reason + " " + message);
    realizer =
        new StatusScaleRealizer(
            client, recorder, decisions, new ScalingTrigger(), Clock.fixed(AT, ZoneOffset.UTC));
  }

  @Test
  void patchesStatusRecordsTheReasonAndRemembersTheDecision() {
    create("autoscaling: {minReplicas: 1, maxReplicas: 2}");
    String reason = "Scaled 1 → 2: 5.1 ongoing requests per replica, target 2";

    realizer.realize(KEY, new ScalingDecision(2, Direction.UP, reason, AT));

    LLMDeployment after = get();
    assertThat(after.getStatus().getDesiredReplicas()).isEqualTo(2);
    assertThat(after.getStatus().getLastScaleTime()).isEqualTo("2026-03-01T10:15:30Z");
    Condition c = scalingActive(after);
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo(Reason.AUTOSCALING_ACTIVE);
    assertThat(c.getMessage()).isEqualTo(reason);
    assertThat(events).containsExactly("auto Normal Scaled " + reason);
    assertThat(decisions.get(KEY)).hasValue(2);
    assertThat(after.getSpec().getAutoscaling().getMaxReplicas()).isEqualTo(2);
  }

  @Test
  void metricsUnavailableKeepsTheDecidedCount() {
    create("autoscaling: {minReplicas: 1, maxReplicas: 2}");
    realizer.realize(KEY, new ScalingDecision(2, Direction.UP, "Scaled 1 → 2: x", AT));

    realizer.condition(KEY, false, Reason.METRICS_UNAVAILABLE, "no ready replica could be scraped");

    LLMDeployment after = get();
    assertThat(scalingActive(after).getReason()).isEqualTo(Reason.METRICS_UNAVAILABLE);
    assertThat(scalingActive(after).getStatus()).isEqualTo("False");
    assertThat(after.getStatus().getDesiredReplicas()).isEqualTo(2);
  }

  @Test
  void leavesAResourceAloneOnceAutoscalingWasSwitchedOff() {
    create("replicas: 3");

    realizer.realize(KEY, new ScalingDecision(2, Direction.DOWN, "Scaled 3 → 2: x", AT));

    assertThat(get().getStatus()).isNull();
    assertThat(events).isEmpty();
    assertThat(decisions.get(KEY)).isEmpty();
  }

  private void create(String extra) {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: auto, namespace: ns}
        spec:
          model: {id: tiny, source: "file:models/tiny"}
          accelerator: {type: cpu, count: 0}
        """
            + "  "
            + extra
            + "\n";
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  private LLMDeployment get() {
    return client.resources(LLMDeployment.class).inNamespace("ns").withName("auto").get();
  }

  private static Condition scalingActive(LLMDeployment l) {
    return l.getStatus().getConditions().stream()
        .filter(c -> Conditions.SCALING_ACTIVE.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
