package dev.cairn.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * JOSDK metrics that report a reconcile as finished only if it was reported as started.
 *
 * <p>Works around a Java Operator SDK 5.3.2 bug: {@code EventProcessor.ReconcilerExecutor.run}
 * returns early ("Skipping execution; primary resource missing from cache") inside the {@code try}
 * whose {@code finally} calls {@link Metrics#reconciliationFinished}, although {@link
 * Metrics#reconciliationStarted} never ran. {@code MicrometerMetricsV2} then decrements the {@code
 * reconciliations.active} gauge below zero for good, and the operator's /metrics reports −1 running
 * reconciles. It happens when a resource leaves the cache while an event for it is queued, e.g. a
 * delete whose finalizer cleanup saw an event during execution. Fixed upstream by java-operator-sdk
 * PR #3525; drop this class once a quarkus-operator-sdk release for our Quarkus line carries that
 * fix. Every other call is forwarded unchanged.
 *
 * <p>The delegate can change under it: quarkus-operator-sdk's provider answers a no-op until the
 * meter registry binds, which in the packaged (prod) application happens after the controller was
 * registered. {@code MicrometerMetricsV2} keeps per-controller meters that {@link
 * #controllerRegistered} creates; without them its {@code eventReceived} throws, and the informer
 * drops every event, so nothing is ever reconciled. So the controllers registered so far are
 * replayed to each delegate the first time it is seen.
 */
public final class PairedReconcileMetrics implements Metrics {
  private static final Logger LOG = Logger.getLogger(PairedReconcileMetrics.class);

  /** The metadata key JOSDK stores the controller's name under. */
  static final String CONTROLLER_NAME = "controller.name";

  private final Supplier<Metrics> delegate;
  // Counted, not a set: JOSDK starts a resource's next reconcile (eventProcessingFinished submits
  // it) before it reports the previous one finished, so one resource briefly has two running.
  private final Map<RunningReconcile, Integer> running = new ConcurrentHashMap<>();
  private final List<Controller<? extends HasMetadata>> controllers = new CopyOnWriteArrayList<>();
  // The delegate that has been told of every controller; replaced under this object's lock.
  private volatile Metrics bound = Metrics.NOOP;

  /**
   * @param delegate looked up on every call, because quarkus-operator-sdk creates its metrics only
   *     when the meter registry binds, which may be after the operator took this bean
   */
  public PairedReconcileMetrics(Supplier<Metrics> delegate) {
    this.delegate = delegate;
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    running.merge(RunningReconcile.of(resource, metadata), 1, Integer::sum);
    metrics().reconciliationStarted(resource, metadata);
  }

  @Override
  public void reconciliationFinished(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    if (resource != null && release(RunningReconcile.of(resource, metadata))) {
      metrics().reconciliationFinished(resource, retryInfo, metadata);
    } else {
      LOG.debugf(
          "Dropped reconciliationFinished without a matching start for %s",
          resource == null
              ? "a resource missing from the cache"
              : ResourceID.fromResource(resource));
    }
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    synchronized (this) {
      controllers.add(controller);
      Metrics current = current();
      if (current == bound) {
        current.controllerRegistered(controller);
        return;
      }
    }
    // A delegate not seen yet: binding it replays every controller, this one included.
    metrics();
  }

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    metrics().eventReceived(event, metadata);
  }

  @Override
  public void reconciliationSubmitted(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    metrics().reconciliationSubmitted(resource, retryInfo, metadata);
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource,
      RetryInfo retryInfo,
      Exception exception,
      Map<String, Object> metadata) {
    metrics().reconciliationFailed(resource, retryInfo, exception, metadata);
  }

  @Override
  public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
    metrics().reconciliationSucceeded(resource, metadata);
  }

  @Override
  public void cleanupDone(ResourceID resourceID, Map<String, Object> metadata) {
    metrics().cleanupDone(resourceID, metadata);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    return metrics().timeControllerExecution(execution);
  }

  /** Consumes one start of {@code reconcile}; false when none is left to pair with. */
  private boolean release(RunningReconcile reconcile) {
    boolean[] started = {false};
    running.computeIfPresent(
        reconcile,
        (k, n) -> {
          started[0] = true;
          return n == 1 ? null : n - 1;
        });
    return started[0];
  }

  /** The delegate now, told of every registered controller before its first use. */
  private Metrics metrics() {
    Metrics current = current();
    if (current == bound) {
      return current;
    }
    synchronized (this) {
      current = current();
      if (current != bound) {
        controllers.forEach(current::controllerRegistered);
        bound = current;
      }
      return current;
    }
  }

  private Metrics current() {
    return Objects.requireNonNullElse(delegate.get(), Metrics.NOOP);
  }

  /** One controller's reconcile of one resource. */
  private record RunningReconcile(Object controller, ResourceID resource) {
    static RunningReconcile of(HasMetadata resource, Map<String, Object> metadata) {
      var controller = metadata == null ? null : metadata.get(CONTROLLER_NAME);
      return new RunningReconcile(controller, ResourceID.fromResource(resource));
    }
  }
}
