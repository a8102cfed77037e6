package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.ConflictRetry;
import dev.cairn.operator.testing.GoldenFiles;
import dev.cairn.operator.testing.WorkerConfig;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Usage statistics end to end: the operator on the mock API server, real tiny-model workers on
 * loopback aliases that are their mock pods' IPs, and a receiver on loopback. The payload matches
 * the golden report and names nothing the test used; a receiver answering 500, slow or down costs
 * at most the retry bound per report while reconciles and the autoscaler carry on.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = UsageReceiverResource.class, restrictToAnnotatedClass = true)
class UsageStatsIT {
  private static final Logger LOG = Logger.getLogger(UsageStatsIT.class);
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  // Every string below must stay out of the report.
  private static final String NS = "usage-secret-ns";
  private static final String AUTO = "usage-secret-auto";
  private static final String FIXED = "usage-secret-fixed";
  private static final String GPU = "usage-secret-gpu";
  private static final String MODEL = "usage-secret-model";
  private static final String ADAPTER = "usage-secret-adapter";
  private static final String KEY = "usage-secret-key";
  private static final List<String> NEVER_SENT =
      List.of(
          "usage-secret",
          "tiny-shakespeare",
          "models/",
          "hf://",
          "shouty",
          "127.0.0.",
          NS,
          AUTO,
          FIXED,
          GPU,
          MODEL,
          ADAPTER,
          KEY);

  @Inject KubernetesClient client;

  @ConfigProperty(name = "cairn.autoscaler.worker-port")
  int workerPort;

  @Test
  void reportsWhatRunsNamesNothingAndNeverHoldsUpTheOperator() throws Exception {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    create(AUTO, autoscaledWithAdapter());
    create(FIXED, fixedWithoutEngineMetrics());
    create(GPU, gpuWithoutWorkers());
    List<WorkerProcess> workers =
        WorkerProcess.startAll(List.of(worker(AUTO, "127.0.0.17"), worker(FIXED, "127.0.0.18")));
    try {
      readyPod(AUTO + "-a", AUTO, "127.0.0.17");
      readyPod(FIXED + "-a", FIXED, "127.0.0.18");
      var answer =
          workers
              .get(1)
              .post(
                  "/v1/completions",
                  """
                  {"model": "%s", "prompt": "ROMEO:", "max_tokens": 4,
                   "response_format": {"type": "json_object"}}
                  """
                      .formatted(MODEL));
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

      JsonNode report = awaitReport(r -> workersRead(r) == 2 && jsonModeSeen(r));
      GoldenFiles.assertMatches("usage/live-report.json", normalized(report));
      for (String body : receiver().bodies()) {
        for (String secret : NEVER_SENT) {
          assertThat(body).as("report names %s", secret).doesNotContain(secret);
        }
      }
      await()
          .atMost(GUARD)
          .until(() -> receiver().bodies().contains(configMap().getData().get("report.json")));

      carriesOnWhile(UsageReceiver.Mode.ERROR_500, 2, true);
      carriesOnWhile(UsageReceiver.Mode.SLOW, 3, true);
      int port = receiver().uri().getPort();
      receiver().close();
      carriesOnWhile(null, 1, false);
      UsageReceiverResource.receiver = UsageReceiver.start(port);
      await().atMost(GUARD).until(() -> receiver().count() > 0);
    } finally {
      workers.forEach(WorkerProcess::close);
    }
  }

  /**
   * With the receiver answering {@code mode} (null: down) for three intervals, a spec change is
   * reconciled and acted on by the autoscaler (bounds pinned at {@code replicas} → the Deployment's
   * replicas), and the receiver sees at most the retry bound per report.
   */
  private void carriesOnWhile(UsageReceiver.Mode mode, int replicas, boolean count)
      throws InterruptedException {
    UsageReceiver receiver = receiver();
    if (mode != null) {
      receiver.answer(mode);
    }
    int before = count ? receiver.count() : 0;
    long start = System.nanoTime();
    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(NS).withName(AUTO),
        l -> {
          l.getSpec().getAutoscaling().setMinReplicas(replicas);
          l.getSpec().getAutoscaling().setMaxReplicas(replicas);
          return l;
        });
    await().atMost(GUARD).until(() -> deploymentReplicas(AUTO) == replicas);
    Thread.sleep(Duration.ofSeconds(3 * UsageReceiverResource.INTERVAL_SECONDS));
    if (count) {
      long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds() + 1;
      // One report per interval plus the one the spec change queued, each tried ATTEMPTS times.
      long reports = seconds / UsageReceiverResource.INTERVAL_SECONDS + 2;
      int attempts = receiver.count() - before;
      LOG.infof(
          "receiver %s: %d POST attempts in %d s (bound %d)",
          mode, attempts, seconds, reports * UsageReceiverResource.ATTEMPTS);
      assertThat(attempts).as("%s: attempts in %d s", mode, seconds).isPositive();
      assertThat(attempts).isLessThanOrEqualTo((int) (reports * UsageReceiverResource.ATTEMPTS));
    }
    receiver.answer(UsageReceiver.Mode.OK);
  }

  private static UsageReceiver receiver() {
    return UsageReceiverResource.receiver;
  }

  private static int workersRead(JsonNode report) {
    int read = 0;
    for (JsonNode d : report.get("deployments")) {
      read += d.get("modelArchitecture").isNull() ? 0 : 1;
    }
    return read;
  }

  private static boolean jsonModeSeen(JsonNode report) {
    for (JsonNode d : report.get("deployments")) {
      if (d.get("jsonModeUsed").asBoolean()) {
        return true;
      }
    }
    return false;
  }

  private JsonNode awaitReport(java.util.function.Predicate<JsonNode> done) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(GUARD)
        .until(
            () -> {
              List<String> bodies = receiver().bodies();
              if (bodies.isEmpty()) {
                return false;
              }
              found[0] = JSON.readTree(bodies.getLast());
              return done.test(found[0]);
            });
    return found[0];
  }

  /** The report with its per-run values masked and its entries in a stable order. */
  private static String normalized(JsonNode report) throws Exception {
    ObjectNode copy = report.deepCopy();
    assertThat(copy.get("clusterId").asText()).matches("[0-9a-f-]{36}");
    assertThat(copy.get("kubernetesVersion").asText()).matches("v\\d+\\.\\d+.*");
    copy.put("clusterId", "<uuid>");
    copy.put("collectedAt", "<RFC 3339>");
    copy.put("cairnVersion", "<version>");
    copy.put("kubernetesVersion", "<version>");
    List<JsonNode> entries = new ArrayList<>();
    report.get("deployments").forEach(entries::add);
    entries.sort(Comparator.comparing(JsonNode::toString));
    ArrayNode sorted = copy.putArray("deployments");
    entries.forEach(sorted::add);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(copy) + "\n";
  }

  private void create(String name, String spec) {
    String doc =
        "apiVersion: llm.cairn.dev/v1alpha1\nkind: LLMDeployment\n"
            + "metadata: {name: %s, namespace: %s}\n".formatted(name, NS)
            + spec;
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  private static String autoscaledWithAdapter() {
    return """
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 4}
          autoscaling: {minReplicas: 1, maxReplicas: 2, metricsIntervalSeconds: 1}
          lora:
            adapters:
              - {name: %s, source: "file:models/tiny-shakespeare-lora/shouty"}
        """
        .formatted(MODEL, ADAPTER);
  }

  private static String fixedWithoutEngineMetrics() {
    return """
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 4}
          replicas: 1
          logEngineMetrics: false
        """
        .formatted(MODEL);
  }

  /** Never gets a worker: its worker-only facts stay null. */
  private static String gpuWithoutWorkers() {
    return """
        spec:
          model: {id: %s, source: "hf://usage-secret-org/usage-secret-model"}
          accelerator: {type: A10G, count: 2}
          replicas: 2
          apiKeySecretRef: {name: %s, key: token}
        """
        .formatted(MODEL, KEY);
  }

  private WorkerProcess.Builder worker(String name, String host) {
    await().atMost(GUARD).until(() -> deployment(name) != null);
    return WorkerProcess.builder()
        .host(host)
        .port(workerPort)
        .configJson(WorkerConfig.of(deployment(name)));
  }

  private void readyPod(String pod, String instance, String ip) {
    Pod p = TestPods.ready(pod, instance, ip);
    p.getMetadata().setNamespace(NS);
    client.pods().inNamespace(NS).resource(p).create();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private int deploymentReplicas(String name) {
    Deployment d = deployment(name);
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  private ConfigMap configMap() {
    return client.configMaps().inNamespace("cairn-system").withName(UsageConfigMap.NAME).get();
  }
}
