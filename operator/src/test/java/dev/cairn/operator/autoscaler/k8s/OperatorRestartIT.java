package dev.cairn.operator.autoscaler.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.AutoscaledDeployment;
import dev.cairn.operator.testing.MetricsRelay;
import dev.cairn.operator.testing.OperatorProcess;
import dev.cairn.worker.testing.CompletionLoad;
import dev.cairn.worker.testing.WorkerProcess;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An operator restart in the middle of a scale-up converges without a second scale event.
 *
 * <p>Real components throughout, so the production paths run: the packaged operator as a process
 * ({@link OperatorProcess}) against a Fabric8 mock API server in CRUD mode that outlives it, and a
 * real tiny-model worker (started with the CAIRN_CONFIG the operator wrote) with 6 streams kept in
 * flight (of five lengths, each replaced as it ends) and {@code targetOngoingRequests: 2}: a load
 * that asks for 3 replicas (any look-back average above 4 ongoing requests does). The worker's
 * {@code /metrics} is reached at its mock pod's IP through a {@link MetricsRelay}, whose count of
 * scrapes is the count of autoscaling cycles.
 *
 * <ol>
 *   <li>Operator A scales 1 → 3 (or 1 → 2 → 3, when a sample caught the streams between their ends
 *       and their replacements): status.desiredReplicas, lastScaleTime, the Scaled Events, the
 *       Deployment's replicas. The two new pods are still loading the model.
 *   <li>A is killed with SIGKILL: no shutdown hook, and everything it held in memory is lost (its
 *       live decisions, the autoscaler's sample history and delay timers, its informer caches).
 *       Operator B, another process (another pod name), starts against the same API server.
 *   <li>Under the same load B runs at least {@link #CYCLES_AFTER_RESTART} cycles: the Deployment's
 *       replicas never leave 3 (a watch sees every write), no further Scaled Event, status keeps
 *       desiredReplicas 3 and the same lastScaleTime, ScalingActive stays True.
 *   <li>The loading pods become ready: status converges to 3/3 and Ready, still without a scale.
 * </ol>
 *
 * <p>The operator is the mockapi build of the production app: no server-side apply (the mock has
 * none) and no leader election (JOSDK checks its access to the Lease with a SelfSubjectRulesReview,
 * which the mock cannot answer). One operator runs at a time, as with a single replica.
 */
class OperatorRestartIT {
  private static final Logger LOG = Logger.getLogger(OperatorRestartIT.class);

  /** Guards against hangs only; nothing here asserts on time. */
  private static final Duration GUARD = Duration.ofSeconds(180);

  /** No request starts after this: the load is bounded whatever happens. */
  private static final Duration LOAD_LIMIT = Duration.ofSeconds(400);

  /** Autoscaling cycles (1 s apart) operator B must run before the test judges it. */
  static final int CYCLES_AFTER_RESTART = 10;

  private static final String NS = "restart";
  private static final String NAME = "auto";
  private static final String MODEL = "tiny";
  private static final int STREAMS = 6;

  // Mock pods' IPs: loopback aliases no other IT uses; the worker listens on its own.
  private static final String POD_A_IP = "127.0.1.2";
  private static final String POD_B_IP = "127.0.1.3";
  private static final String POD_C_IP = "127.0.1.4";
  private static final String WORKER_IP = "127.0.1.5";

  private static final String AUTOSCALING =
      "{minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 2, upscaleDelaySeconds: 2,"
          + " lookBackPeriodSeconds: 2, metricsIntervalSeconds: 1}";

  private KubernetesServer server;
  private KubernetesClient client;
  private int port;
  private OperatorProcess operator;

  @BeforeEach
  void apiServer() throws IOException {
    server = new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
    server.before();
    client = server.getClient();
    Path crd = Path.of(System.getProperty("cairn.repo.root", ".."), "crds");
    try (InputStream in =
        Files.newInputStream(crd.resolve("llmdeployments.llm.cairn.dev-v1.yml"))) {
      client.resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("cairn-system").endMetadata().build())
        .create();
    port = freePort();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    server.after();
  }

  @Test
  void restartMidScaleUpConvergesWithoutASecondScale() throws Exception {
    operator = startOperator("cairn-operator-a");
    AutoscaledDeployment auto =
        AutoscaledDeployment.create(client, NS, NAME, MODEL, AUTOSCALING, GUARD);
    awaitOrDump(() -> deployment().map(d -> d.getSpec().getReplicas() == 1).orElse(false));
    String config = auto.workerConfig();
    try (WorkerProcess worker =
            WorkerProcess.builder().host(WORKER_IP).port(port).configJson(config).start();
        MetricsRelay relay = MetricsRelay.start(POD_A_IP, port, worker.baseUri());
        CompletionLoad load =
            CompletionLoad.start(
                List.of(worker.baseUri()),
                // five lengths, so the streams soon end apart and the count stays near six
                List.of(400, 360, 320, 280, 240).stream()
                    .map(n -> CompletionLoad.longStreamingCompletion(MODEL, n))
                    .toList(),
                STREAMS,
                LOAD_LIMIT)) {
      // The pod turns ready (and is scraped) only once all the streams are in flight: sampled
      // while the load still ramps up (a busy CI machine takes seconds), the look-back averages
      // 3 and A would scale 1 → 2 first, then 2 → 3.
      awaitOrDump(() -> worker.scrape().value(MetricNames.ONGOING_REQUESTS) >= STREAMS);
      auto.readyPod(NAME + "-a", POD_A_IP);
      setDeploymentStatus(1, 1);

      // 1. Operator A scales up; the new pods start loading.
      awaitOrDump(() -> auto.desired() == 3);
      awaitOrDump(() -> deployment().map(d -> d.getSpec().getReplicas() == 3).orElse(false));
      createPod(TestPods.loading(NAME + "-b", NAME, POD_B_IP));
      createPod(TestPods.loading(NAME + "-c", NAME, POD_C_IP));
      setDeploymentStatus(3, 1);
      awaitOrDump(
          () -> scaledEvents().stream().anyMatch(e -> e.getMessage().endsWith(" to 3 replicas")));
      List<String> scaledBefore = eventNames(scaledEvents());
      // Usually 1 → 3 in one step. The first six streams start together, so the first of them
      // end together too, and on a busy machine a look-back sample can catch them between their
      // ends and their replacements (the average read 4.0 once): then A goes 1 → 2 → 3. Either way
      // A has scaled up to 3 and no further, which is all the restart below depends on.
      assertThat(scaledEvents())
          .extracting(Event::getMessage)
          .hasSizeBetween(2, 4)
          .allMatch(
              m ->
                  m.matches(
                      "Scaled [12] → [23]: .*|Scaled Deployment auto from [12] to [23] replicas"))
          .anyMatch(m -> m.matches("Scaled [12] → 3: .*"))
          .anyMatch(m -> m.matches("Scaled Deployment auto from [12] to 3 replicas"));
      String lastScaleTime = auto.get().getStatus().getLastScaleTime();

      // 2. A dies mid-scale; B starts with nothing in memory.
      operator.kill();
      List<Integer> replicasWritten = new CopyOnWriteArrayList<>();
      try (Watch watch = watchReplicas(replicasWritten)) {
        int before = relay.scrapes();
        operator = startOperator("cairn-operator-b");

        // 3. The same load, CYCLES_AFTER_RESTART cycles of operator B.
        awaitOrDump(() -> relay.scrapes() >= before + CYCLES_AFTER_RESTART);
        LOG.infof(
            "operator B ran %d cycles; load %s; replicas written since the restart: %s",
            relay.scrapes() - before, load.statuses(), replicasWritten);
        LLMDeployment l = auto.get();
        assertThat(l.getStatus().getDesiredReplicas()).isEqualTo(3);
        assertThat(l.getStatus().getLastScaleTime()).isEqualTo(lastScaleTime);
        assertThat(deployment().orElseThrow().getSpec().getReplicas()).isEqualTo(3);
        assertThat(scalingActive(l))
            .hasValueSatisfying(
                c -> {
                  assertThat(c.getStatus()).isEqualTo("True");
                  assertThat(c.getReason()).isEqualTo(Reason.AUTOSCALING_ACTIVE);
                });
        assertThat(eventNames(scaledEvents())).isEqualTo(scaledBefore);

        // 4. The new pods finish loading: status converges, still no scale.
        markReady(NAME + "-b", POD_B_IP);
        markReady(NAME + "-c", POD_C_IP);
        setDeploymentStatus(3, 3);
        awaitOrDump(
            () -> {
              LLMDeployment now = auto.get();
              return "3/3".equals(now.getStatus().getReady())
                  && condition(now, Conditions.READY)
                      .map(c -> "True".equals(c.getStatus()))
                      .orElse(false);
            });
        int converged = relay.scrapes();
        awaitOrDump(() -> relay.scrapes() >= converged + 3);
        LLMDeployment end = auto.get();
        assertThat(end.getStatus().getDesiredReplicas()).isEqualTo(3);
        assertThat(end.getStatus().getLastScaleTime()).isEqualTo(lastScaleTime);
        assertThat(end.getStatus().getObservedGeneration())
            .isEqualTo(end.getMetadata().getGeneration());
        assertThat(eventNames(scaledEvents())).isEqualTo(scaledBefore);
        assertThat(replicasWritten).as("the Deployment's replicas B wrote").containsOnly(3);
        assertThat(operator.isAlive()).isTrue();
      }
    }
  }

  private OperatorProcess startOperator(String identity) {
    return OperatorProcess.builder(OperatorProcess.Build.MOCK_API)
        .apiServer(client.getMasterUrl().toString())
        .podName(identity)
        .property("cairn.autoscaler.worker-port", String.valueOf(port))
        .start();
  }

  /** Awaits {@code condition}, failing with operator's log when it never holds. */
  private void awaitOrDump(java.util.concurrent.Callable<Boolean> condition) {
    try {
      await().atMost(GUARD).until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "gave up waiting; operator " + operator.identity() + " said:\n" + operator.log(), e);
    }
  }

  /** Every replica count written to the Deployment from now on (each MODIFIED event's). */
  private Watch watchReplicas(List<Integer> written) {
    return client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(NAME)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Deployment d) {
                if (action == Action.MODIFIED || action == Action.ADDED) {
                  written.add(d.getSpec().getReplicas());
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private List<Event> scaledEvents() {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> StatusScaleRealizer.SCALED.equals(e.getReason()))
        .toList();
  }

  private static List<String> eventNames(List<Event> events) {
    return events.stream().map(e -> e.getMetadata().getName()).sorted().toList();
  }

  private Optional<Deployment> deployment() {
    return Optional.ofNullable(client.apps().deployments().inNamespace(NS).withName(NAME).get());
  }

  /** Sets the Deployment's status as the deployment controller would. */
  private void setDeploymentStatus(int replicas, int ready) {
    Deployment d = deployment().orElseThrow();
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(replicas)
            .withAvailableReplicas(ready)
            .build());
    client.apps().deployments().inNamespace(NS).resource(d).updateStatus();
  }

  private void createPod(Pod pod) {
    pod.getMetadata().setNamespace(NS);
    client.pods().inNamespace(NS).resource(pod).create();
  }

  /** The kubelet's status update once the model is loaded (no worker listens there). */
  private void markReady(String pod, String ip) {
    Pod p = client.pods().inNamespace(NS).withName(pod).get();
    p.setStatus(TestPods.ready(pod, NAME, ip).getStatus());
    client.pods().inNamespace(NS).resource(p).updateStatus();
  }

  private static Optional<Condition> scalingActive(LLMDeployment l) {
    return condition(l, Conditions.SCALING_ACTIVE);
  }

  private static Optional<Condition> condition(LLMDeployment l, String type) {
    return l.getStatus() == null
        ? Optional.empty()
        : l.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** A port free on every loopback alias used here (all of 127/8 shares one port space per IP). */
  private static int freePort() {
    for (int attempt = 0; attempt < 20; attempt++) {
      int candidate;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(WORKER_IP))) {
        candidate = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (List.of(POD_A_IP, POD_B_IP, POD_C_IP).stream().allMatch(ip -> free(ip, candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no port free on all of the test's loopback aliases");
  }

  private static boolean free(String ip, int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(ip))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
