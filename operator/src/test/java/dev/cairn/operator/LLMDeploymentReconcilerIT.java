package dev.cairn.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.monitoring.MonitoringCrds;
import dev.cairn.operator.status.TestPods;
import dev.cairn.operator.testing.ConflictRetry;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The operator against the Fabric8 mock API server: create, update, scale, delete, steady state.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class LLMDeploymentReconcilerIT {
  private static final Logger LOG = Logger.getLogger(LLMDeploymentReconcilerIT.class);

  @KubernetesTestServer KubernetesServer server;
  @Inject KubernetesClient client;
  @Inject MeterRegistry registry;

  private static String env(Deployment d, String name) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  @Test
  void createsTheWorkerDeploymentAndServiceOwnedByTheResource() {
    OperatorHarness h = new OperatorHarness(client, "create");
    LLMDeployment llmd = h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));

    Deployment d = h.awaitDeployment("tiny", x -> true);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsEntry(CairnNames.LABEL_INSTANCE, "tiny");
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("cairn-worker:0.1.0");
    assertThat(env(d, CairnNames.ENV_CONFIG))
        .contains("\"source\":\"file:models/tiny-shakespeare\"");
    assertThat(d.getMetadata().getLabels()).containsEntry(CairnNames.LABEL_MODEL, "tiny");

    await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> client.services().inNamespace(h.namespace).withName("tiny").get() != null);
    Service svc = client.services().inNamespace(h.namespace).withName("tiny").get();
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(CairnNames.PORT);

    String uid = h.get("tiny").getMetadata().getUid();
    for (var owned : List.of(d.getMetadata(), svc.getMetadata())) {
      assertThat(owned.getOwnerReferences())
          .singleElement()
          .returns(uid, OwnerReference::getUid)
          .returns(true, OwnerReference::getController)
          .returns(CairnNames.KIND, OwnerReference::getKind);
    }
    h.awaitCondition("tiny", Conditions.PROGRESSING, "True", Reason.ROLLING_OUT);
    LLMDeployment withStatus = h.get("tiny");
    assertThat(withStatus.getStatus().getDesiredReplicas()).isEqualTo(1);
    assertThat(withStatus.getStatus().getReady()).isEqualTo("0/1");
    assertThat(withStatus.getStatus().getEndpoint())
        .isEqualTo("http://tiny." + h.namespace + ".svc:8000/v1");
    assertThat(withStatus.getStatus().getSelector())
        .isEqualTo("app.kubernetes.io/name=cairn-worker,app.kubernetes.io/instance=tiny");
    assertThat(withStatus.getStatus().getObservedGeneration())
        .isEqualTo(llmd.getMetadata().getGeneration());
    await().atMost(OperatorHarness.WAIT).until(() -> h.hasEvent(EventRecorder.NORMAL, "Created"));
  }

  @Test
  void readyOnlyWhenTheDesiredReplicasAreReady() {
    OperatorHarness h = new OperatorHarness(client, "ready");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("tiny", x -> true);
    h.awaitCondition("tiny", Conditions.READY, "False", Reason.REPLICAS_NOT_READY);

    h.setDeploymentStatus("tiny", 1, 1, 1);
    h.awaitCondition("tiny", Conditions.READY, "True", Reason.ALL_REPLICAS_READY);
    h.awaitCondition("tiny", Conditions.PROGRESSING, "False", Reason.ROLLOUT_COMPLETE);
    assertThat(h.get("tiny").getStatus().getReady()).isEqualTo("1/1");
    assertThat(h.get("tiny").getStatus().getReplicas()).isEqualTo(1);
    await().atMost(OperatorHarness.WAIT).until(() -> h.hasEvent(EventRecorder.NORMAL, "Ready"));
  }

  @Test
  void specChangesRollOutAndReplicaChangesScale() {
    OperatorHarness h = new OperatorHarness(client, "update");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("tiny", x -> true);

    h.get("tiny"); // the latest version is edited below
    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny"),
        l -> {
          l.getSpec().getModel().setSource("hf://Qwen/Qwen2.5-0.5B-Instruct");
          l.getSpec().getEngine().setMaxNumSeqs(16);
          return l;
        });
    Deployment rolled =
        h.awaitDeployment(
            "tiny", d -> env(d, CairnNames.ENV_CONFIG).contains("Qwen2.5-0.5B-Instruct"));
    assertThat(env(rolled, CairnNames.ENV_CONFIG)).contains("\"maxNumSeqs\":16");
    await().atMost(OperatorHarness.WAIT).until(() -> h.hasEvent(EventRecorder.NORMAL, "Updated"));

    ConflictRetry.edit(
        client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny"),
        l -> {
          l.getSpec().setReplicas(3);
          return l;
        });
    h.awaitDeployment("tiny", d -> d.getSpec().getReplicas() == 3);
    await().atMost(OperatorHarness.WAIT).until(() -> h.hasEvent(EventRecorder.NORMAL, "Scaled"));
    await()
        .atMost(OperatorHarness.WAIT)
        .until(() -> Integer.valueOf(3).equals(h.get("tiny").getStatus().getDesiredReplicas()));
  }

  @Test
  void autoscalingStartsAtInitialReplicas() {
    OperatorHarness h = new OperatorHarness(client, "autoscale");
    h.create(
        "qwen",
        """
        spec:
          model: {source: "hf://Qwen/Qwen2.5-0.5B-Instruct"}
          accelerator: {type: A10G, count: 1}
          autoscaling: {minReplicas: 1, maxReplicas: 4, initialReplicas: 2}
        """);
    Deployment d = h.awaitDeployment("qwen", x -> true);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
        .containsKey(CairnNames.GPU_RESOURCE);
    await()
        .atMost(OperatorHarness.WAIT)
        .until(
            () ->
                h.get("qwen").getStatus() != null
                    && Integer.valueOf(2).equals(h.get("qwen").getStatus().getDesiredReplicas()));
  }

  @Test
  void deletingTheResourceLeavesOwnedObjectsToTheGarbageCollector() {
    OperatorHarness h = new OperatorHarness(client, "delete");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    Deployment d = h.awaitDeployment("tiny", x -> true);
    String uid = h.get("tiny").getMetadata().getUid();
    // The mock server has no garbage collector; on a cluster the owner reference removes these.
    assertThat(d.getMetadata().getOwnerReferences())
        .extracting(OwnerReference::getUid)
        .containsExactly(uid);
    client.resources(LLMDeployment.class).inNamespace(h.namespace).withName("tiny").delete();
    await().atMost(OperatorHarness.WAIT).until(() -> h.get("tiny") == null);
    Service svc = client.services().inNamespace(h.namespace).withName("tiny").get();
    assertThat(svc.getMetadata().getOwnerReferences())
        .extracting(OwnerReference::getUid)
        .containsExactly(uid);
  }

  @Test
  void aSteadyStateReconcileWritesNothing() throws Exception {
    OperatorHarness h = new OperatorHarness(client, "steady");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitDeployment("tiny", x -> true);
    Pod pod = h.createPod(TestPods.base("tiny-abc", "tiny").build());
    h.setDeploymentStatus("tiny", 1, 1, 1);
    h.awaitCondition("tiny", Conditions.READY, "True", Reason.ALL_REPLICAS_READY);
    // Let the reconciles the setup caused finish, then look only at what follows.
    await()
        .atMost(OperatorHarness.WAIT)
        .pollDelay(java.time.Duration.ofMillis(500))
        .until(
            () ->
                RequestLog.writes(
                        RequestLog.inNamespace(
                            RequestLog.drain(server.getKubernetesMockServer()), h.namespace))
                    .isEmpty());

    int before = CountingDesiredReplicas.calls(h.namespace, "tiny");
    client
        .pods()
        .inNamespace(h.namespace)
        .withName(pod.getMetadata().getName())
        .edit(
            p -> {
              p.getMetadata().setAnnotations(java.util.Map.of("touched", "1"));
              return p;
            });
    h.awaitReconciledAfter("tiny", before, registry);
    List<RecordedRequest> window =
        RequestLog.inNamespace(RequestLog.drain(server.getKubernetesMockServer()), h.namespace);
    List<RecordedRequest> operatorRequests =
        window.stream().filter(r -> !r.getPath().contains("/pods/tiny-abc")).toList();
    LOG.infof(
        "steady-state reconcile: %d API requests (%d writes)",
        operatorRequests.size(), RequestLog.writes(operatorRequests).size());
    assertThat(RequestLog.writes(operatorRequests))
        .as(RequestLog.describe(operatorRequests))
        .isEmpty();
  }

  @Test
  void installingThePrometheusOperatorCrdsReconcilesAgain() {
    OperatorHarness h = new OperatorHarness(client, "crds");
    h.create("tiny", OperatorHarness.cpuSpec("file:models/tiny-shakespeare"));
    h.awaitCondition("tiny", Conditions.PROGRESSING, "True", Reason.ROLLING_OUT);
    h.awaitReconciledAfter("tiny", 0, registry);
    int before = CountingDesiredReplicas.calls(h.namespace, "tiny");
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(MonitoringCrds.SERVICE_MONITORS)
                .endMetadata()
                .withNewSpec()
                .withGroup("monitoring.coreos.com")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("ServiceMonitor")
                .withPlural("servicemonitors")
                .endNames()
                .addNewVersion()
                .withName("v1")
                .withServed(true)
                .withStorage(true)
                .endVersion()
                .endSpec()
                .build())
        .create();
    h.awaitReconciledAfter("tiny", before, registry);
  }
}
