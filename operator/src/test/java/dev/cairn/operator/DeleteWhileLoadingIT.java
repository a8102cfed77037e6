package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.activator.ActivatorRoutes;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.monitoring.model.DashboardConfigMapBuilder;
import dev.cairn.operator.status.TestPods;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Deleting an LLMDeployment while its pods still load the model, against the mock API server in
 * CRUD mode with the operator's Grafana namespace set (the ITs' {@code cairn.grafana-namespace}),
 * so the dashboard ConfigMap lives where no owner reference can reach it. The mock server runs no
 * garbage collector: what sits in the resource's namespace must carry a controller owner reference
 * to it (the cluster's GC then removes it, and the worker pods with their Deployment's
 * ReplicaSets); what lives elsewhere (the dashboard ConfigMap, the activator's route entry) must be
 * actually gone; and the finalizer must be released so the resource itself disappears.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DeleteWhileLoadingIT {
  private static final String NAME = "llm";

  @Inject KubernetesClient client;
  @Inject ActivatorRoutes routes;
  @Inject MeterRegistry registry;

  /** Every kind the operator writes into the resource's namespace. */
  private static final List<Class<? extends HasMetadata>> NAMESPACED_KINDS =
      List.of(
          io.fabric8.kubernetes.api.model.apps.Deployment.class,
          io.fabric8.kubernetes.api.model.Service.class,
          io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class,
          ConfigMap.class);

  @Test
  void deletingWhilePodsLoadLeavesNothingBehind() {
    PrometheusOperatorObjects monitoring = new PrometheusOperatorObjects(client);
    monitoring.installCrds();
    OperatorHarness h = new OperatorHarness(client, "delete-loading");
    // minReplicas 0: the deployment also gets an EndpointSlice and an activator route entry.
    h.create(
        NAME,
        """
        spec:
          model: {id: tiny, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi}
          autoscaling: {minReplicas: 0, maxReplicas: 2, initialReplicas: 1}
        """);
    h.awaitDeployment(NAME, d -> d.getSpec().getReplicas() == 1);
    FakeModelLoadProgress.BY_POD.put(NAME + "-loading-1", 0.3);
    h.createPod(TestPods.loading(NAME + "-loading-1", NAME, "10.9.0.1"));
    h.awaitCondition(NAME, Conditions.PROGRESSING, "True", Reason.LOADING_MODEL);

    String dashboard = ResourceNames.sharedDashboardConfigMap(h.namespace, NAME);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                namespacedChildren(h).size() == 3
                    && monitoring
                        .get(PrometheusOperatorObjects.SERVICE_MONITORS, h.namespace, NAME)
                        .isPresent()
                    && monitoring
                        .get(PrometheusOperatorObjects.PROMETHEUS_RULES, h.namespace, NAME)
                        .isPresent()
                    && grafanaConfigMap(dashboard).isPresent()
                    && route(h).isPresent());
    LLMDeployment live = h.get(NAME);
    String uid = live.getMetadata().getUid();
    assertThat(live.getMetadata().getFinalizers())
        .as("the cross-namespace dashboard needs a finalizer")
        .isNotEmpty();
    assertThat(h.condition(NAME, Conditions.PROGRESSING).orElseThrow().getReason())
        .as("still loading when deleted")
        .isEqualTo(Reason.LOADING_MODEL);

    client.resources(LLMDeployment.class).inNamespace(h.namespace).withName(NAME).delete();

    await().atMost(OperatorHarness.WAIT).until(() -> h.get(NAME) == null);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> grafanaConfigMap(dashboard).isEmpty() && route(h).isEmpty());
    assertThat(ownedByOthersIn(h)).as("Cairn objects labelled with this owner elsewhere").isEmpty();

    List<HasMetadata> namespaced = new ArrayList<>(namespacedChildren(h));
    monitoring
        .get(PrometheusOperatorObjects.SERVICE_MONITORS, h.namespace, NAME)
        .ifPresent(namespaced::add);
    monitoring
        .get(PrometheusOperatorObjects.PROMETHEUS_RULES, h.namespace, NAME)
        .ifPresent(namespaced::add);
    assertThat(namespaced)
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "Deployment/" + NAME,
            "Service/" + NAME,
            "EndpointSlice/" + NAME,
            "ServiceMonitor/" + NAME,
            "PrometheusRule/" + NAME);
    for (HasMetadata child : namespaced) {
      assertThat(child.getMetadata().getOwnerReferences())
          .as("owner of %s %s", child.getKind(), child.getMetadata().getName())
          .singleElement()
          .returns(uid, OwnerReference::getUid)
          .returns(CairnNames.KIND, OwnerReference::getKind)
          .returns(NAME, OwnerReference::getName)
          .returns(true, OwnerReference::getController);
    }

    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                registry
                        .find("cairn_autoscaler_desired_replicas")
                        .tag("namespace", h.namespace)
                        .gauge()
                    == null);
    assertThat(h.events())
        .as("no reconcile raced the deletion into an error")
        .noneMatch(
            e ->
                EventRecorder.WARNING.equals(e.getType())
                    && Reason.RECONCILE_FAILED.equals(e.getReason()));
  }

  /**
   * Everything of the kinds the operator writes into the resource's namespace, labelled as Cairn's
   * or not (the test itself writes none of them there).
   */
  private List<HasMetadata> namespacedChildren(OperatorHarness h) {
    return NAMESPACED_KINDS.stream()
        .flatMap(kind -> client.resources(kind).inNamespace(h.namespace).list().getItems().stream())
        .map(HasMetadata.class::cast)
        .toList();
  }

  private Optional<ConfigMap> grafanaConfigMap(String name) {
    return Optional.ofNullable(
        client.configMaps().inNamespace(MonitoringIT.GRAFANA_NAMESPACE).withName(name).get());
  }

  /** ConfigMaps in any namespace that name this resource as their owner by label. */
  private List<ConfigMap> ownedByOthersIn(OperatorHarness h) {
    return client
        .configMaps()
        .inAnyNamespace()
        .withLabels(
            Map.of(
                DashboardConfigMapBuilder.LABEL_OWNER_NAMESPACE,
                h.namespace,
                DashboardConfigMapBuilder.LABEL_OWNER_NAME,
                NAME))
        .list()
        .getItems();
  }

  /** The resource's entry in the activator's route table (the table is shared, never deleted). */
  private Optional<String> route(OperatorHarness h) {
    ConfigMap table =
        client
            .configMaps()
            .inNamespace(routes.namespace())
            .withName(ActivatorRoute.CONFIGMAP)
            .get();
    return Optional.ofNullable(table)
        .map(ConfigMap::getData)
        .map(data -> data.get(ActivatorRoute.key(h.namespace, NAME)));
  }
}
