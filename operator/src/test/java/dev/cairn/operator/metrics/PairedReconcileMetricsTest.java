package dev.cairn.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairedReconcileMetricsTest {
  private static final Map<String, Object> METADATA =
      Map.of(PairedReconcileMetrics.CONTROLLER_NAME, "llmdeployment");

  private final ActiveGauge gauge = new ActiveGauge();
  private final PairedReconcileMetrics metrics = new PairedReconcileMetrics(() -> gauge);

  @Test
  void aFinishWithoutAStartLeavesTheActiveGaugeAtZero() {
    var resource = deployment("a");
    metrics.reconciliationSubmitted(resource, null, METADATA);

    metrics.reconciliationFinished(null, null, METADATA);
    metrics.reconciliationFinished(resource, null, METADATA);

    assertEquals(0, gauge.active);
    assertEquals(List.of("submitted a"), gauge.calls);
  }

  @Test
  void aStartedReconcileCountsUntilItFinishesOnce() {
    var resource = deployment("a");
    metrics.reconciliationStarted(resource, METADATA);
    assertEquals(1, gauge.active);

    metrics.reconciliationSucceeded(resource, METADATA);
    metrics.reconciliationFinished(resource, null, METADATA);
    metrics.reconciliationFinished(resource, null, METADATA);

    assertEquals(0, gauge.active);
    assertEquals(List.of("started a", "succeeded a", "finished a"), gauge.calls);
  }

  /** JOSDK submits a resource's next reconcile before it reports the previous one finished. */
  @Test
  void theNextReconcileStartingBeforeThePreviousFinishesStillPairsBoth() {
    var resource = deployment("a");
    metrics.reconciliationStarted(resource, METADATA);
    metrics.reconciliationStarted(resource, METADATA);
    assertEquals(2, gauge.active);

    metrics.reconciliationFinished(resource, null, METADATA);
    metrics.reconciliationFinished(resource, null, METADATA);

    assertEquals(0, gauge.active);
  }

  @Test
  void aStrayFinishDoesNotEndAnotherResourcesReconcile() {
    metrics.reconciliationStarted(deployment("a"), METADATA);

    metrics.reconciliationFinished(deployment("b"), null, METADATA);

    assertEquals(1, gauge.active);
  }

  @Test
  void theSameResourceUnderAnotherControllerIsTrackedApart() {
    metrics.reconciliationStarted(deployment("a"), METADATA);

    metrics.reconciliationFinished(
        deployment("a"), null, Map.of(PairedReconcileMetrics.CONTROLLER_NAME, "other"));

    assertEquals(1, gauge.active);
  }

  @Test
  void callsBeforeTheRegistryBindsGoNowhere() {
    var unbound = new PairedReconcileMetrics(() -> null);

    unbound.reconciliationStarted(deployment("a"), METADATA);
    unbound.reconciliationFinished(deployment("a"), null, METADATA);

    assertEquals(List.of(), gauge.calls);
  }

  /**
   * quarkus-operator-sdk's provider answers a no-op until the meter registry binds, in the packaged
   * operator after the controller registered: the real metrics must still hear of the controller,
   * once and before anything else, or MicrometerMetricsV2 throws on every event.
   */
  @Test
  void aDelegateThatBindsAfterTheControllerRegisteredHearsOfItFirstAndOnce() {
    Metrics[] provided = {Metrics.NOOP};
    var late = new PairedReconcileMetrics(() -> provided[0]);
    late.controllerRegistered(null);
    late.reconciliationSubmitted(deployment("early"), null, METADATA);

    provided[0] = gauge;
    late.reconciliationSubmitted(deployment("a"), null, METADATA);
    late.reconciliationSubmitted(deployment("b"), null, METADATA);

    assertEquals(List.of("registered", "submitted a", "submitted b"), gauge.calls);
  }

  @Test
  void aControllerRegisteredWhileBoundGoesStraightThrough() {
    metrics.reconciliationSubmitted(deployment("a"), null, METADATA);
    metrics.controllerRegistered(null);

    assertEquals(List.of("submitted a", "registered"), gauge.calls);
  }

  private static LLMDeployment deployment(String name) {
    var d = new LLMDeployment();
    d.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    return d;
  }

  /** Keeps {@code reconciliations.active} the way MicrometerMetricsV2 does, and logs each call. */
  private static final class ActiveGauge implements Metrics {
    int active;
    final List<String> calls = new ArrayList<>();

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
      calls.add("registered");
    }

    @Override
    public void reconciliationSubmitted(
        HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
      calls.add("submitted " + resource.getMetadata().getName());
    }

    @Override
    public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
      active++;
      calls.add("started " + resource.getMetadata().getName());
    }

    @Override
    public void reconciliationSucceeded(HasMetadata resource, Map<String, Object> metadata) {
      calls.add("succeeded " + resource.getMetadata().getName());
    }

    @Override
    public void reconciliationFinished(
        HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
      active--;
      calls.add("finished " + resource.getMetadata().getName());
    }
  }
}
