package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.WorkerConfig;
import dev.cairn.worker.testing.CompletionLoad;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Autoscaling on generated tokens/s against a real worker (the tiny model on 127.0.0.2, its mock
 * pod's IP): two streams keep ongoing requests far below their target, so only the tokens/s signal
 * can ask for the second replica, and the Scaled Event must name it; once the streams stop the rate
 * falls to 0 and the count returns to 1.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class TokensPerSecondAutoscalingIT {
  private static final Logger LOG = Logger.getLogger(TokensPerSecondAutoscalingIT.class);

  /** Guards against hangs only. */
  private static final Duration GUARD = Duration.ofSeconds(90);

  private static final String NS = "autoscaling-tps";
  private static final String NAME = "tps";
  private static final String MODEL = "tiny";

  @Inject KubernetesClient client;

  @ConfigProperty(name = "cairn.autoscaler.worker-port")
  int port;

  @Test
  void generatedTokensPerSecondAloneScalesUpAndTheEventNamesIt() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    create();
    awaitDeploymentReplicas(1);
    String config =
        WorkerConfig.of(client.apps().deployments().inNamespace(NS).withName(NAME).get());
    try (WorkerProcess worker =
        WorkerProcess.builder().host("127.0.0.2").port(port).configJson(config).start()) {
      readyPod();
      try (CompletionLoad load =
          CompletionLoad.start(
              List.of(worker.baseUri()),
              List.of(CompletionLoad.longStreamingCompletion(MODEL, 400)),
              2,
              Duration.ofSeconds(45))) {
        await().atMost(GUARD).until(() -> desired() == 2);
        LOG.infof(
            "worker while scaling up: %s generated tokens so far, load %s",
            worker.scrape().value(MetricNames.GENERATION_TOKENS_TOTAL), load.statuses());
        awaitDeploymentReplicas(2);
      }
      String up = scaledEvent("Scaled 1 → 2").orElseThrow().getMessage();
      LOG.infof("scale-up event: %s", up);
      assertThat(up)
          .contains("generated tokens/s per replica, target 2")
          .contains("(signal generated tokens/s decided)");

      await().atMost(GUARD).until(() -> desired() == 1);
      awaitDeploymentReplicas(1);
      // With no load every signal proposes 1 and the tie names ongoing requests.
      assertThat(scaledEvent("Scaled 2 → 1")).isPresent();
    }
  }

  /** Ongoing requests alone would never leave 1 replica: 2 streams against a target of 50. */
  private void create() {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 16}
          autoscaling:
            minReplicas: 1
            maxReplicas: 2
            targetOngoingRequests: 50
            targetTokensPerSecond: 2
            upscaleDelaySeconds: 2
            downscaleDelaySeconds: 3
            lookBackPeriodSeconds: 2
            metricsIntervalSeconds: 1
        """
            .formatted(NAME, NS, MODEL);
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  private void readyPod() {
    Pod pod = TestPods.ready("tps-a", NAME, "127.0.0.2");
    pod.getMetadata().setNamespace(NS);
    client.pods().inNamespace(NS).resource(pod).create();
  }

  private int desired() {
    LLMDeployment l = client.resources(LLMDeployment.class).inNamespace(NS).withName(NAME).get();
    Integer d = l.getStatus() == null ? null : l.getStatus().getDesiredReplicas();
    return d == null ? -1 : d;
  }

  private void awaitDeploymentReplicas(int n) {
    await()
        .atMost(GUARD)
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(NS).withName(NAME).get();
              return d != null && d.getSpec().getReplicas() == n;
            });
  }

  private Optional<Event> scaledEvent(String prefix) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> StatusScaleRealizer.SCALED.equals(e.getReason()))
        .filter(e -> e.getMessage().startsWith(prefix))
        .findFirst();
  }
}
