package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.CairnNames;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.activator.ActivatorRoutes;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.testing.FaultInjectingProxy;
import dev.cairn.operator.testing.FaultInjectingProxy.Faults;
import dev.cairn.operator.testing.FaultyApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator behind a flaky API server (issue 16): a seeded share of its writes answered 409 or
 * 500 and of its calls delayed. It must converge every resource, report a persistent failure in
 * status and Events, recover when the faults stop, and restore children edited or deleted by hand.
 * The test's own client bypasses the faults (see {@link FaultyApiServer}).
 */
@QuarkusTest
@WithTestResource(FaultyApiServer.class)
class ApiFaultsIT {
  private static final Logger LOG = Logger.getLogger(ApiFaultsIT.class);
  private static final int RESOURCES = 5;
  private static final Faults FLAKY = new Faults(0.15, 0.15, 0.25, 250);

  @KubernetesTestServer KubernetesServer server;
  @FaultyApiServer.Proxy FaultInjectingProxy proxy;
  @Inject QuarkusConfigurationService operatorConfig;
  @Inject LLMDeploymentReconciler reconciler;
  @Inject ActivatorRoutes routes;

  private KubernetesClient direct() {
    return server.getClient();
  }

  @AfterEach
  void stopFaults() {
    proxy.setFaults(Faults.NONE);
    proxy.alwaysFail((method, path) -> false);
  }

  @Test
  void everyResourceConvergesDespiteConflictsErrorsAndDelays() {
    OperatorHarness h = new OperatorHarness(direct(), "faults");
    proxy.setFaults(FLAKY);
    List<String> names = IntStream.range(0, RESOURCES).mapToObj(i -> "tiny" + i).toList();
    names.forEach(n -> h.create(n, OperatorHarness.cpuSpec("file:models/tiny-shakespeare")));

    for (String n : names) {
      h.awaitDeployment(n, d -> true);
      await().atMost(OperatorHarness.WAIT).until(() -> service(h, n) != null);
      await().atMost(OperatorHarness.WAIT).until(() -> dashboard(h, n) != null);
      h.awaitCondition(n, Conditions.PROGRESSING, "True", Reason.ROLLING_OUT);
    }
    for (String n : names) {
      h.setDeploymentStatus(n, 1, 1, 1);
    }
    for (String n : names) {
      h.awaitCondition(n, Conditions.READY, "True", Reason.ALL_REPLICAS_READY);
      h.awaitCondition(n, Conditions.PROGRESSING, "False", Reason.ROLLOUT_COMPLETE);
    }
    // The faults really happened, and the operator (this JVM) answered through all of them.
    LOG.infof(
        "faults injected: %d conflicts, %d server errors, %d delays; %d requests forwarded",
        proxy.conflicts.get(), proxy.serverErrors.get(), proxy.delays.get(), proxy.forwarded.get());
    assertThat(proxy.conflicts.get()).isPositive();
    assertThat(proxy.serverErrors.get()).isPositive();
    assertThat(proxy.delays.get()).isPositive();
  }

  @Test
  void failedReconcilesAreRetriedForAboutAnHourAtMostAMinuteApart() {
    GenericRetry retry = (GenericRetry) operatorConfig.getConfigurationFor(reconciler).getRetry();

    assertThat(retry.getMaxAttempts()).isEqualTo(50);
    assertThat(retry.getInitialInterval()).isEqualTo(2000);
    assertThat(retry.getMaxInterval()).isEqualTo(60_000);
  }

  @Test
  void aPersistentFailureIsReportedAndClearsWhenTheApiRecovers() {
    OperatorHarness h = new OperatorHarness(direct(), "broken");
    String deployments = "/namespaces/" + h.namespace + "/deployments";
    proxy.alwaysFail((method, path) -> path.contains(deployments));
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));

    Condition degraded =
        h.awaitCondition("tiny", Conditions.DEGRADED, "True", Reason.RECONCILE_FAILED);
    String expected = "deployment: HTTP 500 InternalError: injected fault: InternalError";
    assertThat(degraded.getMessage()).isEqualTo("reconcile failed: " + expected);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                h.events().stream()
                    .anyMatch(
                        e ->
                            e.getType().equals(EventRecorder.WARNING)
                                && e.getReason().equals(Reason.RECONCILE_FAILED)
                                && e.getMessage().contains(expected)));
    assertThat(h.deployment("tiny")).isEmpty();

    proxy.alwaysFail((method, path) -> false);
    h.awaitDeployment("tiny", d -> true);
    h.awaitCondition("tiny", Conditions.DEGRADED, "False", null);
  }

  @Test
  void childrenEditedOrDeletedByHandAreRestored() {
    OperatorHarness h = new OperatorHarness(direct(), "drift");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    String uid = h.awaitDeployment("tiny", d -> true).getMetadata().getUid();
    await().atMost(OperatorHarness.WAIT).until(() -> service(h, "tiny") != null);
    Service original = service(h, "tiny");

    direct().apps().deployments().inNamespace(h.namespace).withName("tiny").delete();
    h.awaitDeployment("tiny", d -> !d.getMetadata().getUid().equals(uid));

    direct()
        .services()
        .inNamespace(h.namespace)
        .withName("tiny")
        .edit(
            s -> {
              s.getSpec().setSelector(Map.of("app", "something-else"));
              s.getSpec().getPorts().get(0).setPort(9999);
              s.getSpec().getPorts().get(0).setTargetPort(new IntOrString(9999));
              return s;
            });
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () -> {
              Service s = service(h, "tiny");
              return s.getSpec().getSelector().equals(original.getSpec().getSelector())
                  && s.getSpec().getPorts().get(0).getPort() == CairnNames.PORT;
            });
  }

  /**
   * The activator's route table lives in a shared ConfigMap no owner reference reaches: while its
   * writes fail, the deleted resource stays behind its finalizer, and once they succeed the entry
   * and the resource go.
   */
  @Test
  void aDeletionWaitsForItsRouteToBeRemovedWhenTheApiRefuses() {
    OperatorHarness h = new OperatorHarness(direct(), "delete-refused");
    h.create(
        "tiny",
        """
        spec:
          model: {id: tiny, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi}
          autoscaling: {minReplicas: 0, maxReplicas: 1, initialReplicas: 1}
        """);
    String key = ActivatorRoute.key(h.namespace, "tiny");
    await().atMost(OperatorHarness.WAIT).until(() -> routeKeys().contains(key));
    String routeTable = "/configmaps/" + ActivatorRoute.CONFIGMAP;
    proxy.alwaysFail((method, path) -> path.contains(routeTable));
    int refusedBefore = proxy.serverErrors.get();

    direct().resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny").delete();
    await().atMost(OperatorHarness.WAIT).until(() -> proxy.serverErrors.get() > refusedBefore);
    LLMDeployment held = h.get("tiny");
    assertThat(held).as("held by its finalizer while the route cannot be removed").isNotNull();
    assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(routeKeys()).contains(key);

    proxy.alwaysFail((method, path) -> false);
    await().atMost(OperatorHarness.WAIT).until(() -> h.get("tiny") == null);
    assertThat(routeKeys()).doesNotContain(key);
    assertThat(dashboard(h, "tiny")).isNull();
  }

  private Set<String> routeKeys() {
    ConfigMap table =
        direct()
            .configMaps()
            .inNamespace(routes.namespace())
            .withName(ActivatorRoute.CONFIGMAP)
            .get();
    return table == null || table.getData() == null ? Set.of() : table.getData().keySet();
  }

  private Service service(OperatorHarness h, String name) {
    return direct().services().inNamespace(h.namespace).withName(name).get();
  }

  private Object dashboard(OperatorHarness h, String name) {
    return direct()
        .configMaps()
        .inNamespace(MonitoringIT.GRAFANA_NAMESPACE)
        .withName(h.namespace + "-" + name + "-dashboard")
        .get();
  }
}
