package dev.cairn.operator.activator;

import dev.cairn.api.CairnNames;
import dev.cairn.api.activator.ActivatorRoute;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The activator's ready pods, from an informer in the operator's namespace: their IPs are the
 * endpoints of a deployment at zero, and their {@code /metrics} carry its held requests. Listeners
 * hear of every change, so endpoints at zero follow the activator's own rollouts.
 */
@ApplicationScoped
public class ActivatorPods {
  @Inject KubernetesClient client;
  @Inject ActivatorRoutes routes;

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private SharedIndexInformer<Pod> informer;

  void onStart(@Observes StartupEvent start) {
    informer =
        client
            .pods()
            .inNamespace(routes.namespace())
            .withLabel(CairnNames.LABEL_NAME, ActivatorRoute.APP_NAME)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    changed();
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {
                    changed();
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    changed();
                  }
                });
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (informer != null) {
      informer.stop();
    }
  }

  /** Runs {@code listener} after every change to the activator's pods. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** IPs of the activator pods that are ready and not terminating, sorted. */
  public List<String> readyIps() {
    if (informer == null) {
      return List.of();
    }
    return informer.getStore().list().stream()
        .filter(ActivatorPods::ready)
        .map(p -> p.getStatus().getPodIP())
        .sorted()
        .toList();
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  private static boolean ready(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus() == null
        || pod.getStatus().getPodIP() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
