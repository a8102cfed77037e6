package dev.cairn.operator.testing;

import static org.awaitility.Awaitility.await;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.autoscaler.k8s.StatusScaleRealizer;
import dev.cairn.operator.status.TestPods;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Optional;

/**
 * An autoscaled tiny-model LLMDeployment on the mock API server, in a namespace of its own, and
 * what the autoscaling ITs read back from it: the desired count, the Deployment's replicas, the
 * Scaled Events. Waits give up after {@code guard}, which guards against hangs only.
 */
public final class AutoscaledDeployment {

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Duration guard;

  private AutoscaledDeployment(
      KubernetesClient client, String namespace, String name, Duration guard) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.guard = guard;
  }

  /**
   * Creates the namespace and the LLMDeployment serving {@code model} on CPU with {@code
   * autoscaling} (a YAML flow map, e.g. {@code {minReplicas: 1, maxReplicas: 2}}) as its spec.
   */
  public static AutoscaledDeployment create(
      KubernetesClient client,
      String namespace,
      String name,
      String model,
      String autoscaling,
      Duration guard) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    String doc =
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: %s, namespace: %s}
        spec:
          model: {id: %s, source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          engine: {kvCacheMemory: 64Mi, maxNumSeqs: 16}
          autoscaling: %s
        """
            .formatted(name, namespace, model, autoscaling);
    client.resource(Serialization.unmarshal(doc, LLMDeployment.class)).create();
    return new AutoscaledDeployment(client, namespace, name, guard);
  }

  /** The CAIRN_CONFIG the operator wrote into the Deployment, once it exists. */
  public String workerConfig() {
    return WorkerConfig.of(client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  /** Creates a ready pod of this deployment at {@code ip}, where a worker listens. */
  public void readyPod(String podName, String ip) {
    Pod pod = TestPods.ready(podName, name, ip);
    pod.getMetadata().setNamespace(namespace);
    client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** The LLMDeployment as the API server has it now. */
  public LLMDeployment get() {
    return client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
  }

  /** status.desiredReplicas, or -1 before the autoscaler has set it. */
  public int desired() {
    LLMDeployment l = get();
    Integer d = l.getStatus() == null ? null : l.getStatus().getDesiredReplicas();
    return d == null ? -1 : d;
  }

  /** Waits until the operator has set the Deployment's replicas to {@code n}. */
  public void awaitDeploymentReplicas(int n) {
    await()
        .atMost(guard)
        .until(
            () -> {
              Deployment d =
                  client.apps().deployments().inNamespace(namespace).withName(name).get();
              return d != null && d.getSpec().getReplicas() == n;
            });
  }

  /** The first Scaled Event in the namespace whose message starts with {@code prefix}. */
  public Optional<Event> scaledEvent(String prefix) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> StatusScaleRealizer.SCALED.equals(e.getReason()))
        .filter(e -> e.getMessage().startsWith(prefix))
        .findFirst();
  }
}
