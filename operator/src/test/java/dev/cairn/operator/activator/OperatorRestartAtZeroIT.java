package dev.cairn.operator.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.activator.Activator;
import dev.cairn.activator.RouteWatcher;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.LLMDeploymentReconciler;
import dev.cairn.operator.autoscaler.k8s.StatusScaleRealizer;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.Completions;
import dev.cairn.operator.testing.DeployManifests;
import dev.cairn.operator.testing.MockApiServer;
import dev.cairn.operator.testing.OperatorProcess;
import dev.cairn.operator.testing.WorkerConfig;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An operator restart while a deployment is at zero keeps it at zero with the activator in the
 * path, and a request held after the restart still wakes it.
 *
 * <p>The restart is a real one: the packaged operator ({@link OperatorProcess}, the prod build the
 * image runs) is stopped with SIGTERM and a new JVM of it is started against the same API server.
 * Everything a process keeps in memory is gone — the autoscaler's history, delay timers and live
 * decisions, the route table's cache, every informer cache, the controller's own state — and comes
 * back only through the code that runs at startup (CDI startup observers, informers' first lists,
 * leader election, the first reconciles and autoscaler cycles). Fresh instances of the reconciler
 * and autoscaler built inside one test JVM would skip exactly that startup path, and a Quarkus test
 * application cannot restart within a test; hence a second process. The API server is {@link
 * MockApiServer}, which gives the prod build server-side apply and leader election.
 *
 * <p>Around it, as in {@link ScaleToZeroIT}: the real activator in-process on 127.0.0.1 following
 * the route ConfigMap, real tiny-model workers on 127.0.0.2 that are their mock pods' IP, and the
 * test playing the kubelet. The activator's {@code /metrics} reaches the operator through a relay
 * that counts the reads: each autoscaler cycle of a deployment at zero reads it once, so the test
 * knows how many cycles ran without timing them.
 */
class OperatorRestartAtZeroIT {
  private static final Duration GUARD = Duration.ofSeconds(180);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SYSTEM = "cairn-system";
  private static final String NS = "restart";
  private static final String NAME = "idle";
  private static final String MODEL = "tiny";
  private static final String ACTIVATOR_IP = "127.0.0.1";
  private static final String WORKER_IP = "127.0.0.2";
  private static final String PROMPT = "ROMEO:";
  private static final int MAX_TOKENS = 16;

  /** Autoscaler cycles and reconciles the restarted operator must go through at zero. */
  private static final int CYCLES = 5;

  private static final int RECONCILES = 3;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void restartAtZeroKeepsZeroAndTheActivatorAndAHeldRequestStillWakesIt() throws Exception {
    int workerPort = freePort(WORKER_IP);
    int activatorMetricsPort = freePort(ACTIVATOR_IP);
    int routePort = freePort(ACTIVATOR_IP);
    Vertx vertx = Vertx.vertx();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Activator activator = new Activator(vertx, registry, ACTIVATOR_IP);
    activator
        .start(activatorMetricsPort)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try (MockApiServer api = MockApiServer.start();
        ReadCountingRelay relay =
            new ReadCountingRelay(ACTIVATOR_IP, activatorMetricsPort, freePort(ACTIVATOR_IP))) {
      KubernetesClient client = api.client();
      install(client);
      RouteWatcher watcher = new RouteWatcher(client, SYSTEM, activator);
      OperatorProcess.Builder operator =
          OperatorProcess.builder(OperatorProcess.Build.PROD)
              .apiServer(api.url())
              .property("cairn.activator.namespace", SYSTEM)
              .property("cairn.autoscaler.worker-port", Integer.toString(workerPort))
              .property("cairn.activator.metrics-port", Integer.toString(relay.port()))
              .property("cairn.activator.port-base", Integer.toString(routePort))
              .property("cairn.activator.port-count", "1")
              // Not under test, and it would write a ConfigMap of its own.
              .property("cairn.usage-stats.enabled", "false");
      Kubelet kubelet = new Kubelet(client, workerPort);
      try {
        At zero;
        try (OperatorProcess first = operator.start()) {
          zero = scaleToZero(client, kubelet, first);
        }
        try (OperatorProcess second = operator.start()) {
          staysAtZero(client, relay, second, zero);
          heldRequestWakesIt(client, kubelet, activator, zero, second);
        }
      } finally {
        kubelet.close();
        watcher.close();
      }
    } finally {
      activator.close();
      vertx.close();
    }
  }

  /**
   * What the first operator left at zero, compared after the restart: the activator's address in
   * the EndpointSlice, the route table, the Events, the last scale time, and the resourceVersions
   * of the Deployment and the EndpointSlice (an apply that changes nothing keeps them).
   */
  private record At(
      URI gate,
      Map<String, String> routes,
      List<String> events,
      String lastScaleTime,
      String deploymentVersion,
      String sliceVersion) {}

  /** The first operator: 1 replica, idle, scaled 1 → 0, the activator in the path. */
  private At scaleToZero(KubernetesClient client, Kubelet kubelet, OperatorProcess operator) {
    create(client);
    kubelet.awaitAndStart(NAME);
    await()
        .atMost(GUARD)
        .failFast("the operator exited", () -> !operator.isAlive())
        .until(() -> deploymentReplicas(client) == 0);
    assertThat(scaledEvents(client))
        .as(operator.log())
        .anySatisfy(m -> assertThat(m).startsWith("Scaled 1 → 0"));
    kubelet.stop(NAME);
    URI gate = awaitSliceAtActivator(client);
    await()
        .atMost(GUARD)
        .until(() -> Reason.SCALED_TO_ZERO.equals(reason(client, Conditions.READY)));
    assertAtZero(client);
    return new At(
        gate,
        routes(client),
        events(client),
        get(client).getStatus().getLastScaleTime(),
        deployment(client).getMetadata().getResourceVersion(),
        slice(client).getMetadata().getResourceVersion());
  }

  /**
   * The restarted operator, after several reconciles and autoscaler cycles of its own: still 0
   * replicas, no Event at all (no scale, no condition change), the same EndpointSlice, route and
   * status, and nothing written to the Deployment or the EndpointSlice.
   */
  private void staysAtZero(
      KubernetesClient client, ReadCountingRelay relay, OperatorProcess operator, At before) {
    // Its first reconcile, and then one per change of the activator's pods (a rollout would do
    // it): each touch is reconciled before the next.
    await().atMost(GUARD).until(() -> operator.reconciled(LLMDeploymentReconciler.NAME) >= 1);
    for (int i = 0; i < RECONCILES; i++) {
      String touch = Integer.toString(i);
      double done = operator.reconciled(LLMDeploymentReconciler.NAME);
      client
          .pods()
          .inNamespace(SYSTEM)
          .withName("cairn-activator-0")
          .edit(
              p -> {
                p.getMetadata().getAnnotations().put("touched", touch);
                return p;
              });
      await().atMost(GUARD).until(() -> operator.reconciled(LLMDeploymentReconciler.NAME) > done);
    }
    int reads = relay.reads();
    await().atMost(GUARD).until(() -> relay.reads() >= reads + CYCLES);

    assertAtZero(client);
    assertThat(events(client)).as(operator.log()).isEqualTo(before.events());
    assertThat(sliceUri(client)).isEqualTo(before.gate());
    assertThat(routes(client)).isEqualTo(before.routes());
    assertThat(get(client).getStatus().getLastScaleTime()).isEqualTo(before.lastScaleTime());
    assertThat(deployment(client).getMetadata().getResourceVersion())
        .isEqualTo(before.deploymentVersion());
    assertThat(slice(client).getMetadata().getResourceVersion()).isEqualTo(before.sliceVersion());
  }

  /** A request held after the restart: 0 → 1 at once, and it is answered by the new replica. */
  private void heldRequestWakesIt(
      KubernetesClient client,
      Kubelet kubelet,
      Activator activator,
      At zero,
      OperatorProcess operator)
      throws Exception {
    CompletableFuture<HttpResponse<String>> held = stream(zero.gate());
    await().atMost(GUARD).until(() -> activator.held(NS, NAME).orElse(-1) == 1);
    await().atMost(GUARD).until(() -> deploymentReplicas(client) == 1);
    assertThat(scaledEvents(client))
        .as(operator.log())
        .anySatisfy(
            m -> assertThat(m).startsWith("Scaled 0 → 1").contains("held at the activator"));
    WorkerProcess worker = kubelet.awaitAndStart(NAME);
    String expected = Completions.text(worker.post("/v1/completions", request(false)).body());
    HttpResponse<String> r = held.get(GUARD.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Completions.streamedText(r.body())).isEqualTo(expected);
    // And the activator leaves the path: new traffic goes to the replica.
    await()
        .atMost(GUARD)
        .until(
            () ->
                slice(client).getEndpoints().stream()
                    .anyMatch(e -> e.getAddresses().contains(WORKER_IP)));
  }

  private void assertAtZero(KubernetesClient client) {
    assertThat(deploymentReplicas(client)).isZero();
    LLMDeployment l = get(client);
    assertThat(l.getStatus().getDesiredReplicas()).isZero();
    assertThat(condition(client, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(reason(client, Conditions.READY)).isEqualTo(Reason.SCALED_TO_ZERO);
    assertThat(reason(client, Conditions.SCALING_ACTIVE)).isEqualTo(Reason.SCALED_TO_ZERO);
    EndpointSlice s = slice(client);
    assertThat(s.getEndpoints()).hasSize(1);
    assertThat(s.getEndpoints().get(0).getAddresses()).containsExactly(ACTIVATOR_IP);
  }

  /**
   * The CRD, the namespaces and a ready pod of deploy/activator.yaml, as an install leaves them.
   */
  private static void install(KubernetesClient client) throws IOException {
    client
        .resource(
            Serialization.unmarshal(
                Files.readString(
                    WorkerProcess.repoRoot().resolve("crds/llmdeployments.llm.cairn.dev-v1.yml")),
                CustomResourceDefinition.class))
        .create();
    for (String ns : List.of(SYSTEM, NS)) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
    Pod pod =
        new PodBuilder(DeployManifests.podOf("activator.yaml", "cairn-activator-0", SYSTEM))
            .editMetadata()
            .addToAnnotations("touched", "no")
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
    client.pods().inNamespace(SYSTEM).resource(pod).create();
  }

  private static void create(KubernetesClient client) {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 8}
          autoscaling:
            minReplicas: 0
            maxReplicas: 1
            initialReplicas: 1
            targetOngoingRequests: 8
            upscaleDelaySeconds: 1
            downscaleDelaySeconds: 2
            lookBackPeriodSeconds: 1
            metricsIntervalSeconds: 1
            scaleFromZero: {queueSize: 4, timeoutSeconds: 300}
        """
            .formatted(NAME, NS, MODEL);
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  /**
   * The kubelet's part for the one deployment: a worker process and a ready pod at {@link
   * #WORKER_IP} when the Deployment asks for a replica, both gone when it is scaled away.
   */
  private static final class Kubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final int port;
    private WorkerProcess worker;

    Kubelet(KubernetesClient client, int port) {
      this.client = client;
      this.port = port;
    }

    WorkerProcess awaitAndStart(String name) {
      await().atMost(GUARD).until(() -> deploymentReplicas(client) == 1);
      String config =
          WorkerConfig.of(client.apps().deployments().inNamespace(NS).withName(name).get());
      worker = WorkerProcess.builder().host(WORKER_IP).port(port).configJson(config).start();
      Pod pod = TestPods.ready(name + "-pod", name, WORKER_IP);
      pod.getMetadata().setNamespace(NS);
      client.pods().inNamespace(NS).resource(pod).create();
      return worker;
    }

    void stop(String name) {
      client.pods().inNamespace(NS).withName(name + "-pod").delete();
      close();
    }

    @Override
    public void close() {
      if (worker != null) {
        worker.close();
        worker = null;
      }
    }
  }

  /**
   * Relays GET /metrics to the activator's metrics port and counts the reads: the operator's
   * autoscaler reads it once per cycle of a deployment that scales to zero.
   */
  private static final class ReadCountingRelay implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger reads = new AtomicInteger();

    ReadCountingRelay(String host, int targetPort, int port) throws IOException {
      HttpClient upstream = HttpClient.newHttpClient();
      URI target = URI.create("http://" + host + ":" + targetPort + "/metrics");
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
      server.createContext(
          "/metrics",
          exchange -> {
            try (exchange) {
              byte[] body =
                  upstream
                      .send(
                          HttpRequest.newBuilder(target).build(),
                          HttpResponse.BodyHandlers.ofByteArray())
                      .body();
              exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
              exchange.sendResponseHeaders(200, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
              reads.incrementAndGet();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    int reads() {
      return reads.get();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private CompletableFuture<HttpResponse<String>> stream(URI gate) {
    return http.sendAsync(
        HttpRequest.newBuilder(gate.resolve("/v1/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(request(true)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String request(boolean stream) {
    return Completions.request(MODEL, PROMPT, MAX_TOKENS, stream);
  }

  private static URI awaitSliceAtActivator(KubernetesClient client) {
    await()
        .atMost(GUARD)
        .until(
            () -> {
              EndpointSlice s = slice(client);
              return s != null
                  && s.getEndpoints().size() == 1
                  && s.getEndpoints().get(0).getAddresses().contains(ACTIVATOR_IP);
            });
    return sliceUri(client);
  }

  private static URI sliceUri(KubernetesClient client) {
    EndpointSlice s = slice(client);
    return URI.create(
        "http://"
            + String.join(",", s.getEndpoints().get(0).getAddresses())
            + ":"
            + s.getPorts().get(0).getPort());
  }

  private static EndpointSlice slice(KubernetesClient client) {
    return client.discovery().v1().endpointSlices().inNamespace(NS).withName(NAME).get();
  }

  private static Map<String, String> routes(KubernetesClient client) {
    ConfigMap cm = client.configMaps().inNamespace(SYSTEM).withName(ActivatorRoute.CONFIGMAP).get();
    return cm == null || cm.getData() == null ? Map.of() : Map.copyOf(cm.getData());
  }

  /** Every Event in the namespace as reason: message, oldest first. */
  private static List<String> events(KubernetesClient client) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getName()))
        .map(e -> e.getReason() + ": " + e.getMessage())
        .toList();
  }

  private static List<String> scaledEvents(KubernetesClient client) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> StatusScaleRealizer.SCALED.equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  private static LLMDeployment get(KubernetesClient client) {
    return client.resources(LLMDeployment.class).inNamespace(NS).withName(NAME).get();
  }

  private static Deployment deployment(KubernetesClient client) {
    return client.apps().deployments().inNamespace(NS).withName(NAME).get();
  }

  private static int deploymentReplicas(KubernetesClient client) {
    Deployment d = deployment(client);
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      KubernetesClient client, String type) {
    LLMDeployment l = get(client);
    return l.getStatus() == null
        ? null
        : l.getStatus().getConditions().stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .orElse(null);
  }

  private static String reason(KubernetesClient client, String type) {
    var c = condition(client, type);
    return c == null ? null : c.getReason();
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
