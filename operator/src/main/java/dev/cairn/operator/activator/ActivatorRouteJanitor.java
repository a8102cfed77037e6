package dev.cairn.operator.activator;

import dev.cairn.api.activator.ActivatorRoute;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The safety net behind the finalizer's cleanup (which removes a deleted LLMDeployment's route and
 * is retried until it succeeds): drops the route on each delete event, and once the informer has
 * listed every deployment, the routes of any that are gone, e.g. one whose finalizer was removed by
 * hand while this operator was down. (A deployment that stops scaling to zero loses its route in
 * its own reconcile.)
 */
@ApplicationScoped
public class ActivatorRouteJanitor {
  private static final Logger LOG = Logger.getLogger(ActivatorRouteJanitor.class);

  @Inject KubernetesClient client;
  @Inject ActivatorRoutes routes;

  private SharedIndexInformer<LLMDeployment> informer;

  void onStart(@Observes StartupEvent start) {
    informer =
        client
            .resources(LLMDeployment.class)
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(LLMDeployment l) {}

                  @Override
                  public void onUpdate(LLMDeployment before, LLMDeployment after) {}

                  @Override
                  public void onDelete(LLMDeployment l, boolean unknownFinalState) {
                    removeRoute(l);
                  }
                });
    informer.start().thenRun(this::sweep);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (informer != null) {
      informer.stop();
    }
  }

  private void removeRoute(LLMDeployment l) {
    try {
      routes.remove(l.getMetadata().getNamespace(), l.getMetadata().getName());
    } catch (RuntimeException e) {
      LOG.warnf("route of deleted %s/%s not removed: %s", ns(l), l.getMetadata().getName(), e);
    }
  }

  /** Keeps only the routes of deployments that exist and scale to zero. */
  void sweep() {
    try {
      routes.retain(keys -> keys.stream().filter(this::live).collect(Collectors.toSet()));
    } catch (RuntimeException e) {
      LOG.warnf("stale activator routes not swept: %s", e);
    }
  }

  // The informer's list may predate a deployment created since: ask the API before dropping.
  private boolean live(String key) {
    if (cached().contains(key)) {
      return true;
    }
    int dot = key.indexOf('.');
    LLMDeployment l =
        client
            .resources(LLMDeployment.class)
            .inNamespace(key.substring(0, dot))
            .withName(key.substring(dot + 1))
            .get();
    return l != null && WorkerPods.scalesToZero(l);
  }

  private Set<String> cached() {
    return informer.getStore().list().stream()
        .filter(WorkerPods::scalesToZero)
        .map(l -> ActivatorRoute.key(ns(l), l.getMetadata().getName()))
        .collect(Collectors.toSet());
  }

  private static String ns(LLMDeployment l) {
    return l.getMetadata().getNamespace();
  }
}
