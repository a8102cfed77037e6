package dev.cairn.operator.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.activator.Activator;
import dev.cairn.activator.RouteWatcher;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.Completions;
import dev.cairn.operator.testing.ConflictRetry;
import dev.cairn.operator.testing.WorkerConfig;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Scale to zero end to end: the operator against the mock API server, the real activator in-process
 * on 127.0.0.1 following the route ConfigMap, and real tiny-model workers on loopback aliases that
 * are their mock pods' IPs. The test plays the kubelet: it starts a worker and marks its pod ready
 * when the Deployment asks for a replica, and removes them at zero.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ScaleToZeroIT {
  private static final Logger LOG = Logger.getLogger(ScaleToZeroIT.class);
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String NS = "zero";
  private static final String IDLE = "idle";
  private static final String COLD = "cold";
  private static final String MODEL = "tiny";
  private static final String ACTIVATOR_IP = "127.0.0.1";
  private static final String WORKER_IP = "127.0.0.2";
  private static final int BURST = 20;
  private static final String PROMPT = "ROMEO:";
  private static final int MAX_TOKENS = 24;

  @Inject KubernetesClient client;
  @Inject ActivatorRoutes routes;

  @ConfigProperty(name = "cairn.autoscaler.worker-port")
  int workerPort;

  @ConfigProperty(name = "cairn.activator.metrics-port")
  int activatorMetricsPort;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void scalesToZeroHoldsRequestsAndWakesUp() throws Exception {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Activator activator = new Activator(vertx, registry, ACTIVATOR_IP);
    activator
        .start(activatorMetricsPort)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    RouteWatcher watcher = new RouteWatcher(client, routes.namespace(), activator);
    activatorPod();
    WorkerProcess worker = null;
    try {
      create(IDLE, 1, 20, 120);
      worker = wake(IDLE);
      idleGoesToZero();
      worker.close();
      worker = burstAtZeroWakesAndCompletes(activator, registry);
      create(COLD, 0, 1, 2);
      disconnectFreesTheSlotAndTimeoutIs504(activator);
      routesFollowTheSpec(activator);
    } finally {
      if (worker != null) {
        worker.close();
      }
      watcher.close();
      activator.close();
      vertx.close();
    }
  }

  /** No request for the downscale delay: 0 replicas, ScaledToZero, the activator in the path. */
  private void idleGoesToZero() {
    await().atMost(GUARD).until(() -> deploymentReplicas(IDLE) == 0);
    LLMDeployment l = get(IDLE);
    assertThat(l.getStatus().getDesiredReplicas()).isZero();
    assertThat(l.getStatus().getLastScaleTime()).isNotNull();
    assertThat(condition(IDLE, Conditions.SCALING_ACTIVE)).isEqualTo(Reason.SCALED_TO_ZERO);
    // The kubelet's part: the pod goes.
    client.pods().inNamespace(NS).withName(IDLE + "-pod").delete();
    awaitSliceAtActivator(IDLE);
    assertThat(condition(IDLE, Conditions.READY)).isEqualTo(Reason.SCALED_TO_ZERO);
  }

  /**
   * 20 streams arrive at zero and are held; 3 more overflow the queue (503); the held count wakes
   * the deployment 0 → 1 at once and all 20 stream back the tokens the replica gives directly.
   */
  private WorkerProcess burstAtZeroWakesAndCompletes(
      Activator activator, PrometheusMeterRegistry registry) throws Exception {
    URI gate = sliceUri(IDLE);
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      held.add(stream(gate, http));
    }
    await().atMost(GUARD).until(() -> activator.held(NS, IDLE).orElse(-1) == BURST);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> refused = stream(gate, http).get(10, TimeUnit.SECONDS);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.body()).contains("\"code\":503");
    }
    await().atMost(GUARD).until(() -> deploymentReplicas(IDLE) == 1);
    long loadStart = System.nanoTime();
    WorkerProcess worker = wake(IDLE);
    double modelLoad = (System.nanoTime() - loadStart) / 1e9;

    String expected = Completions.text(worker.post("/v1/completions", request(false)).body());
    for (CompletableFuture<HttpResponse<String>> f : held) {
      HttpResponse<String> r = f.get(GUARD.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Completions.streamedText(r.body())).isEqualTo(expected);
    }
    assertThat(activator.held(NS, IDLE)).hasValue(0);
    double coldSum =
        registry
                .get("cairn_activator_cold_start_seconds")
                .tag("deployment", IDLE)
                .timer()
                .totalTime(TimeUnit.NANOSECONDS)
            / 1e9;
    double coldMax =
        registry
                .get("cairn_activator_cold_start_seconds")
                .tag("deployment", IDLE)
                .timer()
                .max(TimeUnit.NANOSECONDS)
            / 1e9;
    LOG.infof(
        "cold start: %d held requests, mean %.2f s, max %.2f s; worker start (JVM + model load) %.2f s = %.0f%% of the max",
        BURST, coldSum / BURST, coldMax, modelLoad, 100 * modelLoad / coldMax);
    awaitSliceAtWorkers(IDLE);
    return worker;
  }

  /** queueSize 1, timeoutSeconds 2, no replica ever: a client that leaves frees its slot. */
  private void disconnectFreesTheSlotAndTimeoutIs504(Activator activator) throws Exception {
    URI gate = awaitSliceAtActivator(COLD);
    HttpClient leaving = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> gone = stream(gate, leaving);
    await().atMost(GUARD).until(() -> activator.held(NS, COLD).orElse(-1) == 1);
    gone.cancel(true);
    leaving.shutdownNow();
    await().atMost(GUARD).until(() -> activator.held(NS, COLD).orElse(-1) == 0);
    HttpResponse<String> late = stream(gate, http).get(30, TimeUnit.SECONDS);
    assertThat(late.statusCode()).isEqualTo(504);
    assertThat(late.body()).contains("\"code\":504").contains("within 2 s");
  }

  /** Back to minReplicas 1 or deleted: the route goes, and the activator closes its port. */
  private void routesFollowTheSpec(Activator activator) {
    client.resources(LLMDeployment.class).inNamespace(NS).withName(COLD).delete();
    await().atMost(GUARD).until(() -> !routeKeys().contains(ActivatorRoute.key(NS, COLD)));
    await().atMost(GUARD).until(() -> activator.held(NS, COLD).isEmpty());

    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(NS).withName(IDLE),
        l -> {
          l.getSpec().getAutoscaling().setMinReplicas(1);
          return l;
        });
    await().atMost(GUARD).until(() -> !routeKeys().contains(ActivatorRoute.key(NS, IDLE)));
    await()
        .atMost(GUARD)
        .until(
            () ->
                client.services().inNamespace(NS).withName(IDLE).get().getSpec().getSelector()
                    != null);
    await().atMost(GUARD).until(() -> slice(IDLE) == null);
  }

  private WorkerProcess wake(String name) {
    await().atMost(GUARD).until(() -> deploymentReplicas(name) == 1);
    String config =
        WorkerConfig.of(client.apps().deployments().inNamespace(NS).withName(name).get());
    WorkerProcess w =
        WorkerProcess.builder().host(WORKER_IP).port(workerPort).configJson(config).start();
    Pod pod = TestPods.ready(name + "-pod", name, WORKER_IP);
    pod.getMetadata().setNamespace(NS);
    client.pods().inNamespace(NS).resource(pod).create();
    return w;
  }

  private void activatorPod() {
    Pod pod =
        TestPods.base("cairn-activator-0", "cairn-activator")
            .editMetadata()
            .withNamespace(routes.namespace())
            .addToLabels("app.kubernetes.io/name", ActivatorRoute.APP_NAME)
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(ACTIVATOR_IP)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    client.pods().inNamespace(routes.namespace()).resource(pod).create();
  }

  private void create(String name, int initial, int queueSize, int timeoutSeconds) {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 32}
          autoscaling:
            minReplicas: 0
            maxReplicas: 1
            initialReplicas: %d
            targetOngoingRequests: 32
            upscaleDelaySeconds: 1
            downscaleDelaySeconds: 2
            lookBackPeriodSeconds: 1
            metricsIntervalSeconds: 1
            scaleFromZero: {queueSize: %d, timeoutSeconds: %d}
        """
            .formatted(name, NS, MODEL, initial, queueSize, timeoutSeconds);
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  private static String request(boolean stream) {
    return Completions.request(MODEL, PROMPT, MAX_TOKENS, stream);
  }

  private static CompletableFuture<HttpResponse<String>> stream(URI gate, HttpClient client) {
    return client.sendAsync(
        HttpRequest.newBuilder(gate.resolve("/v1/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(request(true)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI awaitSliceAtActivator(String name) {
    await()
        .atMost(GUARD)
        .until(
            () -> {
              EndpointSlice s = slice(name);
              return s != null
                  && s.getEndpoints().size() == 1
                  && s.getEndpoints().get(0).getAddresses().contains(ACTIVATOR_IP)
                  && s.getPorts().get(0).getPort() != workerPort;
            });
    return sliceUri(name);
  }

  private void awaitSliceAtWorkers(String name) {
    await()
        .atMost(GUARD)
        .until(
            () -> {
              EndpointSlice s = slice(name);
              return s != null
                  && !s.getEndpoints().isEmpty()
                  && s.getEndpoints().get(0).getAddresses().contains(WORKER_IP);
            });
  }

  private URI sliceUri(String name) {
    EndpointSlice s = slice(name);
    return URI.create(
        "http://"
            + s.getEndpoints().get(0).getAddresses().get(0)
            + ":"
            + s.getPorts().get(0).getPort());
  }

  private EndpointSlice slice(String name) {
    return client.discovery().v1().endpointSlices().inNamespace(NS).withName(name).get();
  }

  private java.util.Set<String> routeKeys() {
    ConfigMap cm =
        client
            .configMaps()
            .inNamespace(routes.namespace())
            .withName(ActivatorRoute.CONFIGMAP)
            .get();
    return cm == null || cm.getData() == null ? java.util.Set.of() : cm.getData().keySet();
  }

  private LLMDeployment get(String name) {
    return client.resources(LLMDeployment.class).inNamespace(NS).withName(name).get();
  }

  private int deploymentReplicas(String name) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(name).get();
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  private String condition(String name, String type) {
    LLMDeployment l = get(name);
    return l.getStatus() == null
        ? null
        : l.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .map(io.fabric8.kubernetes.api.model.Condition::getReason)
            .findFirst()
            .orElse(null);
  }
}
