package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.MetricNames;
import dev.cairn.operator.monitoring.model.DashboardQueries;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.DeployManifests;
import dev.cairn.operator.testing.ServiceMonitorScrape;
import dev.cairn.operator.testing.ServiceMonitorScrape.Endpoint;
import dev.cairn.operator.testing.WorkerConfig;
import dev.cairn.worker.testing.CompletionLoad;
import dev.cairn.worker.testing.CompletionLoad.Request;
import dev.cairn.worker.testing.PrometheusProcess;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The whole monitoring path on real components: the operator (against the mock API server) makes
 * the Deployments, Services, ServiceMonitors and dashboard ConfigMaps for two LLMDeployments; real
 * workers start with the CAIRN_CONFIG the operator wrote (two for {@code tiny-on}, one for {@code
 * tiny-off} with {@code logEngineMetrics: false}; {@code tiny-on} also serves the tiny LoRA
 * adapters) on loopback aliases that are their mock pods' IPs; a real Prometheus (Debian's package)
 * scrapes them with the jobs Prometheus Operator would generate from those ServiceMonitors, and
 * scrapes the operator through deploy/monitoring's ServiceMonitor. After bounded load, every query
 * of the dashboard the operator put in the ConfigMap runs against Prometheus with the deployment
 * chosen as a user would choose it, and the LoRA panels show the adapter when a user picks it as
 * the model.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LiveStackIT {
  private static final Logger LOG = Logger.getLogger(LiveStackIT.class);
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final String ON = "tiny-on";
  private static final String OFF = "tiny-off";
  private static final String MODEL = "tiny";
  private static final String ADAPTER = "shouty";
  private static final Duration LOAD = Duration.ofSeconds(6);

  @Inject KubernetesClient client;

  @ConfigProperty(name = "cairn.autoscaler.worker-port")
  int workerPort;

  @ConfigProperty(name = "cairn.grafana-namespace")
  String grafanaNamespace;

  @TestHTTPResource("/")
  URL operatorBase;

  @Test
  void everyDashboardQueryAnswersFromLiveWorkersAndTheOperator() throws Exception {
    PrometheusOperatorObjects crds = new PrometheusOperatorObjects(client);
    crds.installCrds();
    OperatorHarness h = new OperatorHarness(client, "livestack");
    h.create(ON, spec(true, 2));
    h.create(OFF, spec(false, 1));

    List<WorkerProcess> workers =
        WorkerProcess.startAll(
            List.of(
                worker(h, ON, "127.0.0.2"),
                worker(h, ON, "127.0.0.3"),
                worker(h, OFF, "127.0.0.4")));
    try {
      readyPod(h, ON + "-a", "127.0.0.2");
      readyPod(h, ON + "-b", "127.0.0.3");
      readyPod(h, OFF + "-a", "127.0.0.4");

      try (PrometheusProcess prometheus = prometheus(h, crds)) {
        JsonNode targets = prometheus.awaitTargetsUp(GUARD);
        assertThat(targets).hasSize(4);
        assertRelabelled(targets, h.namespace);

        Map<String, Double> sent = drive(workers);
        for (String deployment : List.of(ON, OFF)) {
          awaitScraped(prometheus, h.namespace, deployment, sent.get(deployment));
          prometheus.awaitResult(
              "%s{namespace=\"%s\", deployment=\"%s\"}"
                  .formatted(MetricNames.AUTOSCALER_LOAD, h.namespace, deployment),
              GUARD);
        }

        assertRulesEvaluate(prometheus);

        // The operator's gauges arrive with the LLMDeployment's labels (honorLabels), not its own.
        JsonNode ready =
            prometheus.queryResult(
                "%s{namespace=\"%s\", deployment=\"%s\"}"
                    .formatted(MetricNames.AUTOSCALER_READY, h.namespace, ON));
        assertThat(ready).hasSize(1);
        assertThat(ready.get(0).at("/value/1").asDouble()).isEqualTo(2.0);

        List<String> problems = new ArrayList<>();
        problems.addAll(check(prometheus, dashboardFromConfigMap(h, ON), h.namespace, ON, true));
        problems.addAll(check(prometheus, dashboardFromConfigMap(h, OFF), h.namespace, OFF, false));
        problems.addAll(checkAdapterPanels(prometheus, dashboardFromConfigMap(h, ON), h.namespace));
        assertThat(problems).as(prometheus.log()).isEmpty();
      }
    } finally {
      workers.forEach(WorkerProcess::close);
    }
  }

  /** tiny-on serves the shouty adapter of models/tiny-shakespeare-lora; tiny-off none. */
  private static String spec(boolean engineMetrics, int maxReplicas) {
    String lora =
        engineMetrics
            ? """
              lora:
                adapters:
                  - {name: %s, source: "file:models/tiny-shakespeare-lora/shouty"}
              """
                .formatted(ADAPTER)
                .indent(2)
            : "";
    return """
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 8}
          logEngineMetrics: %s
          autoscaling:
            minReplicas: 1
            maxReplicas: %d
            targetOngoingRequests: 2
            metricsIntervalSeconds: 1
          monitoring:
            serviceMonitor: {interval: 1s}
        """
            .formatted(MODEL, engineMetrics, maxReplicas)
        + lora;
  }

  /** A worker with the CAIRN_CONFIG of the Deployment the operator made. */
  private WorkerProcess.Builder worker(OperatorHarness h, String name, String host) {
    String config = WorkerConfig.of(h.awaitDeployment(name, x -> true));
    return WorkerProcess.builder().host(host).port(workerPort).configJson(config);
  }

  private void readyPod(OperatorHarness h, String name, String ip) {
    h.createPod(TestPods.ready(name, name.substring(0, name.lastIndexOf('-')), ip));
  }

  /**
   * Scrape jobs from the operator's ServiceMonitors (their interval, 1 s, as the spec set it) and
   * from deploy/monitoring's ServiceMonitor for the operator, whose 15 s is shortened to 1 s.
   */
  private PrometheusProcess prometheus(OperatorHarness h, PrometheusOperatorObjects crds)
      throws IOException {
    PrometheusProcess.Builder b = PrometheusProcess.builder().scrapeInterval("1s");
    for (String name : List.of(ON, OFF)) {
      GenericKubernetesResource rule =
          crds.await(PrometheusOperatorObjects.PROMETHEUS_RULES, h.namespace, name);
      Path rules = Files.createTempFile("cairn-rules-" + name, ".yaml");
      rules.toFile().deleteOnExit();
      Files.writeString(
          rules,
          Serialization.asYaml(
              Map.of(
                  "groups",
                  ((Map<?, ?>) rule.getAdditionalProperties().get("spec")).get("groups"))));
      b.ruleFile(rules);
      GenericKubernetesResource sm =
          crds.await(PrometheusOperatorObjects.SERVICE_MONITORS, h.namespace, name);
      Service service = client.services().inNamespace(h.namespace).withName(name).get();
      List<Endpoint> endpoints = new ArrayList<>();
      for (Pod pod : client.pods().inNamespace(h.namespace).list().getItems()) {
        if (name.equals(pod.getMetadata().getLabels().get("app.kubernetes.io/instance"))) {
          endpoints.add(
              new Endpoint(
                  pod.getMetadata().getName(),
                  pod.getSpec().getContainers().get(0).getName(),
                  pod.getStatus().getPodIP() + ":" + workerPort));
        }
      }
      b.scrape(ServiceMonitorScrape.job(sm, service, endpoints, null));
    }
    HasMetadata operatorMonitor =
        DeployManifests.one("monitoring/servicemonitor.yaml", "ServiceMonitor");
    Service operatorService = (Service) DeployManifests.one("operator.yaml", "Service");
    operatorService.getMetadata().setNamespace("cairn-system");
    b.scrape(
        ServiceMonitorScrape.job(
            operatorMonitor,
            operatorService,
            List.of(
                new Endpoint(
                    "cairn-operator-0",
                    "operator",
                    operatorBase.getHost() + ":" + operatorBase.getPort())),
            "1s"));
    return b.start();
  }

  /**
   * The alert rules of the operator's PrometheusRules, loaded as Prometheus Operator would load
   * them, evaluate against the live series without an error (each has been evaluated at least
   * once).
   */
  private static void assertRulesEvaluate(PrometheusProcess prometheus) {
    await()
        .atMost(GUARD)
        .until(
            () -> {
              List<JsonNode> rules = new ArrayList<>();
              prometheus.ruleGroups().forEach(g -> g.path("rules").forEach(rules::add));
              return !rules.isEmpty()
                  && rules.stream()
                      .allMatch(
                          r ->
                              "ok".equals(r.path("health").asText())
                                  && !r.path("lastEvaluation").asText().startsWith("0001"));
            });
    List<String> alerts = new ArrayList<>();
    prometheus
        .ruleGroups()
        .forEach(g -> g.path("rules").forEach(r -> alerts.add(r.path("name").asText())));
    LOG.infof("alert and recording rules evaluated without error: %s", alerts);
    assertThat(alerts)
        .contains(
            "CairnHighErrorRate",
            "CairnSlowTimeToFirstToken",
            "CairnAvailabilityBudgetBurnFast",
            "CairnTtftBudgetBurnSlow",
            MetricNames.SLO_AVAILABILITY_ERRORS + "3d",
            MetricNames.SLO_TTFT_SLOW + "5m");
  }

  /** The labels the dashboard selects on come out of the relabelling, per target. */
  private static void assertRelabelled(JsonNode targets, String namespace) {
    List<String> workerLabels = new ArrayList<>();
    for (JsonNode t : targets) {
      JsonNode labels = t.path("labels");
      if (labels.path("endpoint").asText().equals("http")
          && labels.has(MetricNames.LABEL_DEPLOYMENT)) {
        workerLabels.add(
            labels.path("namespace").asText()
                + "/"
                + labels.path(MetricNames.LABEL_DEPLOYMENT).asText()
                + "/"
                + labels.path("pod").asText());
      }
    }
    assertThat(workerLabels)
        .containsExactlyInAnyOrder(
            namespace + "/" + ON + "/" + ON + "-a",
            namespace + "/" + ON + "/" + ON + "-b",
            namespace + "/" + OFF + "/" + OFF + "-a");
  }

  /**
   * Bounded load: for {@link #LOAD}, streaming and plain requests to both endpoints on every worker
   * (shared prompts, so the prefix cache has hits; tiny-on's also to its adapter), then one refused
   * request each, so 4xx series exist. Returns how many requests each deployment's workers counted.
   */
  private static Map<String, Double> drive(List<WorkerProcess> workers) {
    List<Request> mix =
        List.of(
            new Request(
                "/v1/chat/completions",
                """
                {"model": "%s", "stream": true, "max_tokens": 24,
                 "messages": [{"role": "user", "content": "Speak of the king."}]}"""
                    .formatted(MODEL)),
            new Request(
                "/v1/completions",
                """
                {"model": "%s", "prompt": "KING RICHARD III: Now is the winter of our",
                 "max_tokens": 16}"""
                    .formatted(MODEL)),
            CompletionLoad.longStreamingCompletion(MODEL, 32));
    List<Request> onMix = new ArrayList<>(mix);
    onMix.add(
        new Request(
            "/v1/completions",
            """
            {"model": "%s", "prompt": "ROMEO:", "max_tokens": 16}"""
                .formatted(ADAPTER)));
    try (CompletionLoad on =
            CompletionLoad.start(
                List.of(workers.get(0).baseUri(), workers.get(1).baseUri()), onMix, 4, LOAD);
        CompletionLoad off =
            CompletionLoad.start(List.of(workers.get(2).baseUri()), mix, 2, LOAD)) {
      sleep(LOAD);
      on.stop(GUARD);
      off.stop(GUARD);
      LOG.infof("load: tiny-on %s, tiny-off %s", on.statuses(), off.statuses());
      assertThat(on.completed()).isPositive();
      assertThat(off.completed()).isPositive();
      assertThat(on.failed() + off.failed()).isZero();
    }
    for (WorkerProcess w : workers) {
      assertThat(w.post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"x\"}").statusCode())
          .isEqualTo(404);
    }
    double onCount = 0;
    for (WorkerProcess w : workers.subList(0, 2)) {
      onCount += w.scrape().value(MetricNames.REQUESTS_TOTAL);
    }
    return Map.of(ON, onCount, OFF, workers.get(2).scrape().value(MetricNames.REQUESTS_TOTAL));
  }

  /** Waits until Prometheus has scraped everything the workers counted. */
  private static void awaitScraped(
      PrometheusProcess prometheus, String namespace, String deployment, double requests) {
    String q =
        "sum(%s{namespace=\"%s\", deployment=\"%s\"}) == %s"
            .formatted(MetricNames.REQUESTS_TOTAL, namespace, deployment, (long) requests);
    prometheus.awaitResult(q, GUARD);
  }

  /**
   * Runs the dashboard's queries for one deployment: GPU queries must parse and be empty on CPU,
   * per-API-key ones without keys (ApiKeyTokensDashboardIT has them), activator ones without a
   * deployment at zero (ActivatorPanelsIT has them); with engine metrics on every other query
   * returns data; with them off, queries on the engine's vllm: series return nothing and the rest
   * still return data.
   */
  private static List<String> check(
      PrometheusProcess prometheus,
      JsonNode dashboard,
      String namespace,
      String deployment,
      boolean engineMetrics) {
    List<String> problems = new ArrayList<>();
    List<DashboardQueries.Query> queries =
        DashboardQueries.runnable(
            dashboard,
            Map.of(
                "namespace", namespace,
                "deployment", deployment,
                "model_name", MODEL,
                // What Grafana picks with the data source's scrape interval set to this 1 s.
                "__interval", "1s"));
    int withData = 0;
    for (DashboardQueries.Query q : queries) {
      JsonNode r = prometheus.query(q.expr());
      String where = deployment + " " + q.source() + " -- " + q.expr();
      if (!"success".equals(r.path("status").asText())) {
        problems.add(where + ": " + r.path("error").asText());
        continue;
      }
      boolean hasData = !r.at("/data/result").isEmpty();
      boolean gpu = q.expr().contains("cairn_gpu_");
      boolean engine = q.expr().contains("vllm:");
      // No apiKeySecretRef here, so no per-key series: ApiKeyTokensDashboardIT fills that row.
      boolean perKey = q.expr().contains(MetricNames.TOKENS_TOTAL);
      // No deployment here scales to zero (minReplicas 0), so no activator holds its requests:
      // ActivatorPanelsIT runs these panels against a real activator holding real requests.
      boolean activator = q.expr().contains("cairn_activator_");
      boolean expected = !gpu && !perKey && !activator && (engineMetrics || !engine);
      if (hasData != expected) {
        problems.add(where + (expected ? ": no data" : ": data where none belongs"));
      }
      withData += hasData ? 1 : 0;
    }
    LOG.infof("%s: %d queries, %d with data", deployment, queries.size(), withData);
    return problems;
  }

  /**
   * The LoRA row with the adapter picked as the model (the model variable lists it, from its
   * cairn_ongoing_requests series): every query returns data, and only the adapter's.
   */
  private static List<String> checkAdapterPanels(
      PrometheusProcess prometheus, JsonNode dashboard, String namespace) {
    List<DashboardQueries.Query> queries =
        DashboardQueries.runnable(
                dashboard,
                Map.of(
                    "namespace", namespace,
                    "deployment", ON,
                    "model_name", ADAPTER,
                    "__interval", "1s"))
            .stream()
            .filter(q -> q.source().endsWith(" per adapter"))
            .toList();
    List<String> problems = new ArrayList<>();
    if (queries.isEmpty()) {
      problems.add("no LoRA adapter panels in the dashboard");
    }
    for (DashboardQueries.Query q : queries) {
      JsonNode result = prometheus.queryResult(q.expr());
      String where = ON + " " + q.source() + " -- " + q.expr();
      if (result.isEmpty()) {
        problems.add(where + ": no data for " + ADAPTER);
      }
      for (JsonNode series : result) {
        if (!ADAPTER.equals(series.at("/metric/model_name").asText())) {
          problems.add(where + ": series of another model " + series.path("metric"));
        }
      }
    }
    return problems;
  }

  private JsonNode dashboardFromConfigMap(OperatorHarness h, String name) {
    String cmName = h.namespace + "-" + name + "-dashboard";
    await()
        .atMost(GUARD)
        .until(
            () -> client.configMaps().inNamespace(grafanaNamespace).withName(cmName).get() != null);
    ConfigMap cm = client.configMaps().inNamespace(grafanaNamespace).withName(cmName).get();
    return DashboardQueries.parse(cm.getData().values().iterator().next());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
