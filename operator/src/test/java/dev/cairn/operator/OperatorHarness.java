package dev.cairn.operator;

import static org.awaitility.Awaitility.await;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** What the operator ITs share: a namespace per test, CR fixtures, awaiting conditions. */
final class OperatorHarness {
  /**
   * Generous, not a timing assertion: two shared cores run several builds at once, and right after
   * the app started the mock server once left the operator without events until 63 s after start
   * (1+2+…+32 s, the shape of Fabric8's watch reconnect backoff); it caught up then.
   */
  static final Duration WAIT = Duration.ofSeconds(120);

  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final KubernetesClient client;
  final String namespace;

  OperatorHarness(KubernetesClient client, String prefix) {
    this.client = client;
    this.namespace = prefix + "-" + NAMESPACES.incrementAndGet();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  static String cpuSpec(String modelSource) {
    return """
        spec:
          model: {id: tiny, source: "%s"}
          accelerator: {type: cpu, count: 0}
          replicas: 1
          engine: {kvCacheMemory: 64Mi}
        """
        .formatted(modelSource);
  }

  LLMDeployment create(String name, String specYaml) {
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata:
          name: %s
          namespace: %s
        """
                .formatted(name, namespace)
            + specYaml;
    return client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
  }

  LLMDeployment get(String name) {
    return client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
  }

  Optional<Deployment> deployment(String name) {
    return Optional.ofNullable(
        client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  Optional<Condition> condition(String name, String type) {
    LLMDeployment l = get(name);
    if (l == null || l.getStatus() == null) {
      return Optional.empty();
    }
    return l.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  /** Waits until the condition has the status and reason, and returns it. */
  Condition awaitCondition(String name, String type, String status, String reason) {
    Predicate<Condition> matches =
        c -> c.getStatus().equals(status) && (reason == null || reason.equals(c.getReason()));
    await().atMost(WAIT).until(() -> condition(name, type).filter(matches).isPresent());
    return condition(name, type).orElseThrow();
  }

  Deployment awaitDeployment(String name, Predicate<Deployment> until) {
    await().atMost(WAIT).until(() -> deployment(name).filter(until).isPresent());
    return deployment(name).orElseThrow();
  }

  Pod createPod(Pod pod) {
    pod.getMetadata().setNamespace(namespace);
    return client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** Sets the Deployment's status as the deployment controller would. */
  void setDeploymentStatus(String name, int replicas, int ready, int updated) {
    Deployment d = deployment(name).orElseThrow();
    d.setStatus(
        new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(updated)
            .withAvailableReplicas(ready)
            .build());
    client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(namespace).list().getItems();
  }

  boolean hasEvent(String type, String reason) {
    return events().stream()
        .anyMatch(e -> e.getType().equals(type) && e.getReason().equals(reason));
  }

  /**
   * Waits until the resource was reconciled again after {@code before} calls (see {@link
   * CountingDesiredReplicas}) and no reconcile is still running.
   */
  void awaitReconciledAfter(String name, int before, MeterRegistry registry) {
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  CountingDesiredReplicas.calls(namespace, name) > before
                      && noReconcileRunning(registry));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "%s/%s not reconciled again: %d reconciles (waited for more than %d), %s active"
              .formatted(
                  namespace,
                  name,
                  CountingDesiredReplicas.calls(namespace, name),
                  before,
                  activeReconciles(registry)),
          e);
    }
  }

  /** Fails at once on a negative gauge, which would otherwise read as "never idle". */
  private static boolean noReconcileRunning(MeterRegistry registry) {
    double active = activeReconciles(registry);
    if (active < 0) {
      throw new AssertionError(
          "reconciliations.active is "
              + active
              + ": a reconcile was reported finished without having started");
    }
    return active == 0;
  }

  static double activeReconciles(MeterRegistry registry) {
    return Search.in(registry).name("reconciliations.active").gauges().stream()
        .mapToDouble(io.micrometer.core.instrument.Gauge::value)
        .sum();
  }
}
