package dev.cairn.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
 * PR #3525; drop this pairing once a quarkus-operator-sdk release for our Quarkus line carries that
 * fix.
 *
 * <p>It also replays {@link #controllerRegistered} to a delegate that appears later: in the
 * production app JOSDK registers the controller before quarkus-operator-sdk's Micrometer metrics
 * exist, and {@code MicrometerMetricsV2} then throws on every event of a controller it never saw
 * registered (a NullPointerException in the informer's handler and the reconcile thread, so events
 * are dropped). Every other call is forwarded unchanged.
 */
public final class PairedReconcileMetrics implements Metrics {
  private static final Logger LOG = Logger.getLogger(PairedReconcileMetrics.class);

  /** The metadata key JOSDK stores the controller's name under. */
  static final String CONTROLLER_NAME = "controller.name";

  private final Supplier<Metrics> delegate;
  // Counted, not a set: JOSDK starts a resource's next reconcile (eventProcessingFinished submits
  // it) before it reports the previous one finished, so one resource briefly has two running.
  private final Map<RunningReconcile, Integer> running = new ConcurrentHashMap<>();
  private final List<Controller<? extends HasMetadata>> controllers = new ArrayList<>();
  // The delegate every controller so far was registered with; guarded by controllers.
  private volatile Metrics registeredWith;

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
    synchronized (controllers) {
      controllers.add(controller);
      Metrics current = current();
      if (current == registeredWith) {
        current.controllerRegistered(controller);
      }
      // Otherwise metrics() below registers every controller, this one included, with current.
    }
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

  /** The delegate, with every controller registered with it first. */
  private Metrics metrics() {
    Metrics current = current();
    if (current != registeredWith) {
      synchronized (controllers) {
        if (current != registeredWith) {
          controllers.forEach(current::controllerRegistered);
          registeredWith = current;
        }
      }
    }
    return current;
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
