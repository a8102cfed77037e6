package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.testing.ConflictRetry;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Specs the API server would let through where CEL does not run (the mock server runs none): the
 * operator reports each clearly and creates nothing, and keeps serving valid ones.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class InvalidSpecIT {
  @Inject KubernetesClient client;

  /** Eight kinds of bad spec, each with the field its message must name. */
  private static final List<String[]> BAD =
      List.of(
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: A10G}
              autoscaling: {minReplicas: 3, maxReplicas: 2}
            """,
            "spec.autoscaling.maxReplicas: must be at least minReplicas (3), got 2"
          },
          new String[] {
            """
            spec:
              model: {source: "s3://bucket/model"}
              accelerator: {type: cpu, count: 0}
            """,
            "spec.model.source: \"s3://bucket/model\" is not hf://ORG/NAME[@REV]"
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: TPU-v5}
            """,
            "spec.accelerator.type: unknown type \"TPU-v5\""
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: cpu, count: 0}
              replicas: -2
            """,
            "spec.replicas: must be at least 0, got -2"
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: L4, count: 1}
              autoscaling: {minReplicas: 1, maxReplicas: 3, initialReplicas: 7}
            """,
            "spec.autoscaling.initialReplicas: must lie within [1, 3], got 7"
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: cpu, count: 0}
              engine: {backend: cuda}
            """,
            "spec.engine.backend: engine.backend cuda needs a GPU but accelerator.type is cpu"
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: cpu, count: 0}
              autoscaling: {targetKvCacheUsage: 1.5}
            """,
            "spec.autoscaling.targetKvCacheUsage: must lie in (0, 1], got 1.5"
          },
          new String[] {
            """
            spec:
              model: {source: "hf://a/b"}
              accelerator: {type: cpu, count: 0}
              logEngineMetrics: false
              autoscaling: {targetWaitingRequests: 4}
            """,
            "spec.autoscaling: " + AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS
          });

  @Test
  void fiftyBadResourcesGetFiftyClearConditionsAndAGoodOneStillRuns() {
    OperatorHarness h = new OperatorHarness(client, "invalid");
    for (int i = 0; i < 50; i++) {
      h.create("bad-" + i, BAD.get(i % BAD.size())[0]);
    }
    h.create("good", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("good", d -> true);

    for (int i = 0; i < 50; i++) {
      String name = "bad-" + i;
      Condition c = h.awaitCondition(name, Conditions.DEGRADED, "True", Reason.INVALID_SPEC);
      assertThat(c.getMessage()).as(name).contains(BAD.get(i % BAD.size())[1]);
      assertThat(h.condition(name, Conditions.READY).orElseThrow().getReason())
          .isEqualTo(Reason.INVALID_SPEC);
      assertThat(h.deployment(name)).as(name).isEmpty();
      assertThat(client.services().inNamespace(h.namespace).withName(name).get()).isNull();
    }
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                h.events().stream()
                        .filter(e -> e.getReason().equals(Reason.INVALID_SPEC))
                        .filter(e -> e.getType().equals(EventRecorder.WARNING))
                        .count()
                    >= 50);
  }

  @Test
  void anInvalidEditLeavesTheRunningDeploymentUntouched() {
    OperatorHarness h = new OperatorHarness(client, "invalid-edit");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    Deployment before = h.awaitDeployment("tiny", d -> true);
    h.awaitCondition("tiny", Conditions.DEGRADED, "False", Reason.AS_EXPECTED);

    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny"),
        l -> {
          l.getSpec().getModel().setSource("ftp://nope");
          l.getSpec().setReplicas(5);
          return l;
        });
    Condition c = h.awaitCondition("tiny", Conditions.DEGRADED, "True", Reason.INVALID_SPEC);
    assertThat(c.getMessage()).startsWith("spec.model.source:");
    assertThat(c.getObservedGeneration()).isEqualTo(h.get("tiny").getMetadata().getGeneration());
    Deployment after = h.deployment("tiny").orElseThrow();
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(after.getSpec().getReplicas()).isEqualTo(1);
    assertThat(
            after
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .get(0)
                .getName())
        .isEqualTo(CairnNames.ENV_CONFIG);

    // Fixing the spec resumes reconciliation and clears the condition.
    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny"),
        l -> {
          l.getSpec().getModel().setSource("file:models/tiny-shakespeare");
          return l;
        });
    h.awaitCondition("tiny", Conditions.DEGRADED, "False", Reason.AS_EXPECTED);
    h.awaitDeployment("tiny", d -> d.getSpec().getReplicas() == 5);
  }
}
