package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.testing.AutoscaledDeployment;
import dev.cairn.operator.testing.ConflictRetry;
import dev.cairn.worker.testing.CompletionLoad;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The operator's autoscaler against the mock API server and two real worker processes (the tiny
 * model, started with the CAIRN_CONFIG the operator wrote) on loopback aliases that are their mock
 * pods' IPs: streaming load up → 1 → 2 with an Event and status, load gone → back to 1.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AutoscalingIT {
  private static final Logger LOG = Logger.getLogger(AutoscalingIT.class);

  /** Guards against hangs only; the assertions are on the autoscaler's clock. */
  private static final Duration GUARD = Duration.ofSeconds(120);

  private static final String NS = "autoscaling";
  private static final String NAME = "auto";
  private static final String MODEL = "tiny";

  /** No request is started after this, scaled or not: the load is bounded. */
  private static final Duration LOAD_LIMIT = Duration.ofSeconds(60);

  private static final String AUTOSCALING =
      "{minReplicas: 1, maxReplicas: 2, targetOngoingRequests: 2, upscaleDelaySeconds: 2,"
          + " downscaleDelaySeconds: 4, lookBackPeriodSeconds: 2, metricsIntervalSeconds: 1}";

  @Inject KubernetesClient client;
  @Inject MeterRegistry registry;
  @Inject Clock clock;

  @ConfigProperty(name = "cairn.autoscaler.worker-port")
  int port;

  private AutoscaledDeployment auto;

  @Test
  void scalesUpUnderLoadAndBackDownWhenItStops() {
    auto = AutoscaledDeployment.create(client, NS, NAME, MODEL, AUTOSCALING, GUARD);
    auto.awaitDeploymentReplicas(1);
    String config = auto.workerConfig();
    List<WorkerProcess> workers =
        WorkerProcess.startAll(List.of(worker("127.0.0.2", config), worker("127.0.0.3", config)));
    try {
      WorkerProcess a = workers.get(0);
      auto.readyPod("auto-a", "127.0.0.2");
      awaitScalingActive();
      assertThat(gauge("cairn_autoscaler_desired_replicas")).isEqualTo(1.0);

      Instant loadStart;
      Instant decided;
      // 8 long streams kept in flight on the one ready replica, target 2 per replica.
      try (CompletionLoad load =
          CompletionLoad.start(
              List.of(a.baseUri()),
              List.of(CompletionLoad.longStreamingCompletion(MODEL, 400)),
              8,
              LOAD_LIMIT)) {
        // The reaction runs from when the worker holds more ongoing requests than one replica's
        // target, not from when the client started: on a busy 2-core CI machine the streams
        // take seconds to reach the worker, which is the load generator's time, not the
        // autoscaler's.
        await()
            .atMost(GUARD)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> a.scrape().value(MetricNames.ONGOING_REQUESTS) > 2);
        loadStart = clock.instant();
        await().atMost(GUARD).until(() -> auto.desired() == 2);
        LOG.infof(
            "worker a while scaling up: %s ongoing, load so far %s",
            a.scrape().value(MetricNames.ONGOING_REQUESTS), load.statuses());
        auto.awaitDeploymentReplicas(2);
        decided = Instant.parse(auto.get().getStatus().getLastScaleTime());
        auto.readyPod("auto-b", "127.0.0.3");
        await().atMost(GUARD).until(() -> gauge("cairn_autoscaler_ready_replicas") == 2.0);
      } // closing the client drops its streams, as a client going away does
      Instant loadStop = clock.instant();

      Duration reaction = Duration.between(loadStart, decided);
      LOG.infof("scale-up reaction (autoscaler clock, 1 s resolution): %s", reaction);
      // upscale delay 2 s + 2 metrics intervals of 1 s
      assertThat(reaction).isLessThanOrEqualTo(Duration.ofSeconds(4));
      assertThat(auto.scaledEvent("Scaled 1 → 2")).isPresent();
      assertThat(auto.scaledEvent("Scaled 1 → 2").get().getMessage())
          .contains("ongoing requests per replica, target 2");
      Condition active = scalingActive().orElseThrow();
      assertThat(active.getStatus()).isEqualTo("True");
      assertThat(active.getReason()).isEqualTo(Reason.AUTOSCALING_ACTIVE);

      await().atMost(GUARD).until(() -> auto.desired() == 1);
      auto.awaitDeploymentReplicas(1);
      Duration down =
          Duration.between(loadStop, Instant.parse(auto.get().getStatus().getLastScaleTime()));
      LOG.infof("scale-down after load stopped (autoscaler clock): %s", down);
      // downscale delay 4 s, less the 1 s resolution of lastScaleTime
      assertThat(down).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
      assertThat(auto.scaledEvent("Scaled 2 → 1")).isPresent();
      assertThat(a.scrape().value(MetricNames.ONGOING_REQUESTS)).isZero();

      handBackToSpecReplicas();
      client.resources(LLMDeployment.class).inNamespace(NS).withName(NAME).delete();
      await()
          .atMost(GUARD)
          .until(
              () ->
                  registry.find("cairn_autoscaler_desired_replicas").tag("namespace", NS).gauge()
                      == null);
    } finally {
      workers.forEach(WorkerProcess::close);
    }
  }

  private WorkerProcess.Builder worker(String host, String config) {
    return WorkerProcess.builder().host(host).port(port).configJson(config);
  }

  /** Without spec.autoscaling the count is spec.replicas again and the load gauge goes. */
  private void handBackToSpecReplicas() {
    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(NS).withName(NAME),
        l -> {
          l.getSpec().setAutoscaling(null);
          l.getSpec().setReplicas(3);
          return l;
        });
    auto.awaitDeploymentReplicas(3);
    await()
        .atMost(GUARD)
        .until(
            () ->
                scalingActive()
                    .filter(c -> Reason.AUTOSCALING_DISABLED.equals(c.getReason()))
                    .isPresent());
    await()
        .atMost(GUARD)
        .until(() -> registry.find("cairn_autoscaler_load").tag("namespace", NS).gauge() == null);
    assertThat(gauge("cairn_autoscaler_desired_replicas")).isEqualTo(3.0);
  }

  private void awaitScalingActive() {
    await()
        .atMost(GUARD)
        .until(
            () ->
                scalingActive()
                    .filter(c -> Reason.AUTOSCALING_ACTIVE.equals(c.getReason()))
                    .isPresent());
  }

  private Optional<Condition> scalingActive() {
    LLMDeployment l = auto.get();
    return l.getStatus() == null
        ? Optional.empty()
        : l.getStatus().getConditions().stream()
            .filter(c -> Conditions.SCALING_ACTIVE.equals(c.getType()))
            .findFirst();
  }

  private double gauge(String name) {
    return registry.find(name).tags("namespace", NS, "deployment", NAME).gauge().value();
  }
}
