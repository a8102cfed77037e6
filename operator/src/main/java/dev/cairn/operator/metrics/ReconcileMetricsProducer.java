package dev.cairn.operator.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.quarkiverse.operatorsdk.runtime.MicrometerMetricsProvider;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Replaces quarkus-operator-sdk's default {@link Metrics} bean with {@link PairedReconcileMetrics}
 * around the same Micrometer metrics, so the operator's /metrics keeps one set of JOSDK meters.
 */
public class ReconcileMetricsProducer {
  @Produces
  @Singleton
  Metrics reconcileMetrics(MicrometerMetricsProvider provider) {
    return new PairedReconcileMetrics(provider::getMetrics);
  }
}
