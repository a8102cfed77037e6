package dev.cairn.operator.monitoring.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.activator.Activator;
import dev.cairn.api.MetricNames;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.model.WorkerServiceModel;
import dev.cairn.operator.testing.DeployManifests;
import dev.cairn.operator.testing.PodMonitorScrape;
import dev.cairn.operator.testing.ServiceMonitorScrape;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's scale-from-zero panels (held requests, cold-start p50/p95) on a real Prometheus
 * 2.42 scraping the real activator, with real held requests and a real cold start: requests arrive
 * while no replica runs and are held; then a tiny-model worker starts (JVM start and model load),
 * its endpoint goes into the activator's route as the operator puts it there, and the held requests
 * are forwarded to it. Each query runs exactly as in the dashboard the operator writes, with the
 * namespace and deployment chosen as LiveStackIT chooses them.
 *
 * <p>Prometheus scrapes the activator twice, with the jobs Prometheus Operator generates: through
 * the deployment's own ServiceMonitor on the deployment's activator port (its endpoints at zero),
 * and through deploy/monitoring's PodMonitor on the activator pod's metrics port. The panels'
 * {@code max by} must fold both into one series.
 */
class ActivatorPanelsIT {
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final String NS = "llm";
  private static final String NAME = "zero";
  private static final String MODEL = "tiny";
  private static final String ACTIVATOR_IP = "127.0.0.1";
  private static final String WORKER_IP = "127.0.0.6";
  private static final int HELD = 3;

  /** The job label Prometheus Operator gives the PodMonitor's targets: its namespace/name. */
  private static final String PODMONITOR_JOB = "cairn-system/cairn-activator";

  private static final Logger LOG = Logger.getLogger(ActivatorPanelsIT.class);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void heldRequestsAndColdStartPanelsAnswerFromTheActivator() throws Exception {
    LLMDeployment llmd = deployment();
    List<DashboardQueries.Query> panels = activatorPanels(llmd);
    assertThat(panels)
        .extracting(DashboardQueries.Query::source)
        .hasSize(3)
        .anySatisfy(s -> assertThat(s).endsWith("Held requests (scale from zero)"))
        .anySatisfy(s -> assertThat(s).endsWith("Cold-start time"));
    DashboardQueries.Query heldPanel =
        panels.stream()
            .filter(q -> q.expr().contains(MetricNames.ACTIVATOR_HELD_REQUESTS))
            .findFirst()
            .orElseThrow();
    List<DashboardQueries.Query> coldStartPanels =
        panels.stream().filter(q -> q.expr().contains(MetricNames.ACTIVATOR_COLD_START)).toList();
    assertThat(coldStartPanels).hasSize(2);

    int metricsPort = freePort(ACTIVATOR_IP);
    int routePort = freePort(ACTIVATOR_IP);
    ActivatorRoute atZero = new ActivatorRoute(NS, NAME, routePort, 8, 300, List.of());
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Activator activator = new Activator(vertx, registry, ACTIVATOR_IP);
    WorkerProcess worker = null;
    try {
      activator
          .start(metricsPort)
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      apply(activator, atZero);
      try (PrometheusProcess prometheus = prometheus(llmd, routePort, metricsPort)) {
        assertThat(prometheus.awaitTargetsUp(GUARD)).hasSize(2);

        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
          held.add(stream(routePort));
        }
        await().atMost(GUARD).until(() -> activator.held(NS, NAME).orElse(-1) == HELD);
        JsonNode whileHeld = awaitPanel(prometheus, heldPanel, r -> value(r) == HELD);
        assertThat(whileHeld).as(heldPanel.expr()).hasSize(1);
        assertThat(whileHeld.get(0).path("metric").path("namespace").asText()).isEqualTo(NS);
        assertThat(whileHeld.get(0).path("metric").path("deployment").asText()).isEqualTo(NAME);
        // Both scrapes carry the series, labelled alike; the panel's max by folded them.
        assertThat(prometheus.queryResult(series(MetricNames.ACTIVATOR_HELD_REQUESTS)))
            .extracting(r -> r.at("/metric/job").asText())
            .containsExactlyInAnyOrder(NAME, PODMONITOR_JOB);

        // The cold start: the replica starts only now, and is routed once ready.
        worker = WorkerProcess.builder().host(WORKER_IP).configJson(workerConfig()).start();
        apply(activator, atZero.withTargets(List.of(worker.address())));
        for (CompletableFuture<HttpResponse<String>> f : held) {
          HttpResponse<String> r = f.get(GUARD.toSeconds(), TimeUnit.SECONDS);
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          assertThat(r.body()).contains("data: [DONE]");
        }
        assertThat(coldStart(registry).count()).isEqualTo(HELD);

        double p50 = coldStartPanel(prometheus, coldStartPanels, "histogram_quantile(0.5,");
        double p95 = coldStartPanel(prometheus, coldStartPanels, "histogram_quantile(0.95,");
        assertThat(p50).isLessThanOrEqualTo(p95);
        LOG.infof(
            "cold start of %d held requests: panel p50 %.2f s, p95 %.2f s; the activator's own mean"
                + " %.2f s, max %.2f s",
            HELD,
            p50,
            p95,
            coldStart(registry).mean(TimeUnit.SECONDS),
            coldStart(registry).max(TimeUnit.SECONDS));
        // The activator pods' scrape alone has every cold start: in a cluster the deployment's
        // ServiceMonitor stops reaching the activator as the replica becomes ready.
        prometheus.awaitResult(
            "%s{job=\"%s\", namespace=\"%s\", deployment=\"%s\"} == %d"
                .formatted(
                    MetricNames.ACTIVATOR_COLD_START + "_count", PODMONITOR_JOB, NS, NAME, HELD),
            GUARD);
        JsonNode released = awaitPanel(prometheus, heldPanel, r -> value(r) == 0);
        assertThat(released).hasSize(1);
      }
    } finally {
      if (worker != null) {
        worker.close();
      }
      activator.close();
      vertx.close();
    }
  }

  /** An LLMDeployment that scales to zero, as a user writes it. */
  private static LLMDeployment deployment() {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 8}
          autoscaling: {minReplicas: 0, maxReplicas: 1}
          monitoring:
            serviceMonitor: {interval: 1s}
        """
            .formatted(NAME, NS, MODEL);
    return Serialization.unmarshal(doc, LLMDeployment.class);
  }

  /** The worker's CAIRN_CONFIG for that deployment's spec. */
  private static String workerConfig() {
    return """
        {"model": {"id": "%s", "source": "file:models/tiny-shakespeare"},
         "accelerator": {"type": "cpu", "count": 0},
         "engine": {"kvCacheMemory": "64Mi", "maxNumSeqs": 8}}
        """
        .formatted(MODEL);
  }

  /**
   * The queries of the dashboard the operator writes for {@code llmd} that read the activator's
   * series, with the variables chosen as in LiveStackIT.
   */
  private static List<DashboardQueries.Query> activatorPanels(LLMDeployment llmd) {
    String json =
        DashboardConfigMapBuilder.fromClasspath()
            .build(llmd, null)
            .getData()
            .values()
            .iterator()
            .next();
    return DashboardQueries.runnable(
            DashboardQueries.parse(json),
            Map.of(
                "namespace", NS,
                "deployment", NAME,
                "model_name", MODEL,
                "__interval", "1s"))
        .stream()
        .filter(q -> q.expr().contains("cairn_activator_"))
        .toList();
  }

  /**
   * The two scrapes of the activator a cluster has: the deployment's ServiceMonitor (what the
   * operator writes) on its endpoints at zero, the activator's port for it; and deploy/monitoring's
   * PodMonitor on the activator pod (deploy/activator.yaml's template) and its metrics port.
   */
  private static PrometheusProcess prometheus(LLMDeployment llmd, int routePort, int metricsPort) {
    ServiceMonitorScrape.Endpoint atZero =
        new ServiceMonitorScrape.Endpoint("", "", ACTIVATOR_IP + ":" + routePort);
    Pod pod = DeployManifests.podOf("activator.yaml", "cairn-activator-0", "cairn-system");
    HasMetadata podMonitor =
        DeployManifests.one("monitoring/activator-podmonitor.yaml", "PodMonitor");
    // deploy/monitoring's kustomization puts it there.
    podMonitor.getMetadata().setNamespace("cairn-system");
    return PrometheusProcess.builder()
        .scrapeInterval("1s")
        .scrape(
            ServiceMonitorScrape.job(
                ServiceMonitorBuilder.build(llmd),
                WorkerServiceModel.desired(llmd),
                List.of(atZero),
                null))
        .scrape(
            PodMonitorScrape.job(
                podMonitor,
                List.of(new PodMonitorScrape.Target(pod, ACTIVATOR_IP + ":" + metricsPort)),
                "1s"))
        .start();
  }

  private static void apply(Activator activator, ActivatorRoute route) throws Exception {
    activator
        .apply(Map.of(route.key(), route))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> stream(int port) {
    String body =
        """
        {"model": "%s", "prompt": "ROMEO:", "max_tokens": 8, "temperature": 0, "stream": true}"""
            .formatted(MODEL);
    return http.sendAsync(
        HttpRequest.newBuilder(
                URI.create("http://" + ACTIVATOR_IP + ":" + port + "/v1/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The cold-start panel query starting with {@code quantile}, once it shows a finite time: one
   * series, the deployment's. Returns that time.
   */
  private static double coldStartPanel(
      PrometheusProcess prometheus, List<DashboardQueries.Query> panels, String quantile) {
    DashboardQueries.Query q =
        panels.stream().filter(p -> p.expr().startsWith(quantile)).findFirst().orElseThrow();
    JsonNode r = awaitPanel(prometheus, q, ActivatorPanelsIT::finitePositive);
    assertThat(r).as(q.expr()).hasSize(1);
    assertThat(r.get(0).path("metric").path("deployment").asText()).isEqualTo(NAME);
    return value(r);
  }

  /** Polls the panel's query until its result passes {@code done}; guards against hangs only. */
  private static JsonNode awaitPanel(
      PrometheusProcess prometheus, DashboardQueries.Query q, Predicate<JsonNode> done) {
    return await()
        .atMost(GUARD)
        .alias(q.source() + " -- " + q.expr())
        .until(() -> prometheus.queryResult(q.expr()), done);
  }

  private static io.micrometer.core.instrument.Timer coldStart(PrometheusMeterRegistry registry) {
    return registry
        .get(MetricNames.ACTIVATOR_COLD_START)
        .tag(MetricNames.LABEL_DEPLOYMENT, NAME)
        .timer();
  }

  private static String series(String name) {
    return "%s{namespace=\"%s\", deployment=\"%s\"}".formatted(name, NS, NAME);
  }

  /** The value of a one-series result; NaN when empty. */
  private static double value(JsonNode result) {
    return result.isEmpty() ? Double.NaN : result.get(0).at("/value/1").asDouble();
  }

  private static boolean finitePositive(JsonNode result) {
    double v = value(result);
    return Double.isFinite(v) && v > 0;
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
