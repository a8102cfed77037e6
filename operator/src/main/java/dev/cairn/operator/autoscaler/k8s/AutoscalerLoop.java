package dev.cairn.operator.autoscaler.k8s;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.activator.ActivatorPods;
import dev.cairn.operator.autoscaler.DeploymentKey;
import dev.cairn.operator.autoscaler.InMemoryAutoscalerStateStore;
import dev.cairn.operator.autoscaler.MetricsScraper;
import dev.cairn.operator.events.EventRecorder;
import dev.cairn.operator.replicas.DesiredReplicas;
import dev.cairn.operator.status.WorkerPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the autoscaler: ticks four times a second over the LLMDeployments and worker pods its own
 * informers cache, and hands due cycles to virtual threads (scrapes are I/O bound and bounded).
 */
@ApplicationScoped
public class AutoscalerLoop {
  private static final Logger LOG = Logger.getLogger(AutoscalerLoop.class);
  private static final String BY_INSTANCE = "instance";
  private static final long TICK_MILLIS = 250;

  @Inject KubernetesClient client;
  @Inject MeterRegistry registry;
  @Inject EventRecorder events;
  @Inject LiveDecisions decisions;
  @Inject ScalingTrigger trigger;
  @Inject DesiredReplicas desired;
  @Inject Clock clock;
  @Inject ActivatorPods activatorPods;

  @ConfigProperty(name = "cairn.activator.metrics-port", defaultValue = "9090")
  int activatorMetricsPort;

  @ConfigProperty(name = "cairn.autoscaler.worker-port", defaultValue = "8000")
  int workerPort;

  @ConfigProperty(name = "cairn.autoscaler.enabled", defaultValue = "true")
  boolean enabled;

  private SharedIndexInformer<LLMDeployment> deployments;
  private SharedIndexInformer<Pod> pods;
  private ScheduledExecutorService ticker;
  private ExecutorService cyclesExecutor;
  private AutoscalerCycles cycles;

  void onStart(@Observes StartupEvent start) {
    if (!enabled) {
      LOG.info("autoscaler disabled (cairn.autoscaler.enabled=false)");
      return;
    }
    StatusScaleRealizer realizer =
        new StatusScaleRealizer(client, events, decisions, trigger, clock);
    cyclesExecutor = Executors.newVirtualThreadPerTaskExecutor();
    cycles =
        new AutoscalerCycles(
            clock,
            new InMemoryAutoscalerStateStore(),
            realizer,
            realizer::condition,
            MetricsScraper::new,
            desired,
            decisions,
            new AutoscalerGauges(registry),
            cyclesExecutor,
            workerPort);
    cycles.heldRequests(
        new ActivatorHeldRequests(
            activatorPods::readyIps, activatorMetricsPort, Duration.ofSeconds(1)));
    deployments = client.resources(LLMDeployment.class).inAnyNamespace().inform();
    // The endpoints of a deployment at zero are the activator's pods: follow their changes.
    activatorPods.onChange(this::activatorChanged);
    pods =
        client
            .pods()
            .inAnyNamespace()
            .withLabel(CairnNames.LABEL_MANAGED_BY, CairnNames.MANAGED_BY)
            .runnableInformer(0);
    pods.addIndexers(
        Map.of(
            BY_INSTANCE,
            p -> {
              String instance = AutoscalerCycles.instanceOf(p);
              return instance == null
                  ? List.of()
                  : List.of(p.getMetadata().getNamespace() + "/" + instance);
            }));
    pods.start();
    ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
    // A tick is a walk over the cache; ticking at a fraction of the shortest metrics interval
    // (1 s) keeps a due cycle from waiting up to a whole interval for the next tick.
    ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (ticker != null) {
      ticker.shutdownNow();
      cyclesExecutor.shutdownNow();
      deployments.stop();
      pods.stop();
    }
  }

  private void tick() {
    if (!trigger.controllerRunning()) {
      // Not the leader (or not started yet): the leader scales and exports the gauges.
      return;
    }
    try {
      cycles.tick(deployments.getStore().list(), this::podsOf);
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep ticking.
      LOG.errorf(e, "autoscaler tick failed");
    }
  }

  private void activatorChanged() {
    if (!trigger.controllerRunning()) {
      return;
    }
    for (LLMDeployment l : deployments.getStore().list()) {
      if (WorkerPods.scalesToZero(l)) {
        trigger.reconcile(AutoscalerDesiredReplicas.key(l));
      }
    }
  }

  private List<Pod> podsOf(DeploymentKey key) {
    return pods.getIndexer().byIndex(BY_INSTANCE, key.namespace() + "/" + key.name());
  }
}
