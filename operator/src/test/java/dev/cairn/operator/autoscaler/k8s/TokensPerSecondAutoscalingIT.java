package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.MetricNames;
import dev.cairn.operator.testing.AutoscaledDeployment;
import dev.cairn.worker.testing.CompletionLoad;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
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

  /** Ongoing requests alone would never leave 1 replica: 2 streams against a target of 50. */
  private static final String AUTOSCALING =
      "{minReplicas: 1, maxReplicas: 2, targetOngoingRequests: 50, targetTokensPerSecond: 2,"
          + " upscaleDelaySeconds: 2, downscaleDelaySeconds: 3, lookBackPeriodSeconds: 2,"
          + " metricsIntervalSeconds: 1}";

  @Test
  void generatedTokensPerSecondAloneScalesUpAndTheEventNamesIt() {
    AutoscaledDeployment tps =
        AutoscaledDeployment.create(client, NS, NAME, MODEL, AUTOSCALING, GUARD);
    tps.awaitDeploymentReplicas(1);
    try (WorkerProcess worker =
        WorkerProcess.builder()
            .host("127.0.0.2")
            .port(port)
            .configJson(tps.workerConfig())
            .start()) {
      tps.readyPod("tps-a", "127.0.0.2");
      try (CompletionLoad load =
          CompletionLoad.start(
              List.of(worker.baseUri()),
              List.of(CompletionLoad.longStreamingCompletion(MODEL, 400)),
              2,
              Duration.ofSeconds(45))) {
        await().atMost(GUARD).until(() -> tps.desired() == 2);
        LOG.infof(
            "worker while scaling up: %s generated tokens so far, load %s",
            worker.scrape().value(MetricNames.GENERATION_TOKENS_TOTAL), load.statuses());
        tps.awaitDeploymentReplicas(2);
      }
      String up = tps.scaledEvent("Scaled 1 → 2").orElseThrow().getMessage();
      LOG.infof("scale-up event: %s", up);
      assertThat(up)
          .contains("generated tokens/s per replica, target 2")
          .contains("(signal generated tokens/s decided)");

      await().atMost(GUARD).until(() -> tps.desired() == 1);
      tps.awaitDeploymentReplicas(1);
      // With no load every signal proposes 1 and the tie names ongoing requests.
      assertThat(tps.scaledEvent("Scaled 2 → 1")).isPresent();
    }
  }
}
