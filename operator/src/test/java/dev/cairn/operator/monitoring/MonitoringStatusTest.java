package dev.cairn.operator.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MonitoringReady from the enabled items and the installed Prometheus Operator CRDs. */
class MonitoringStatusTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);
  private static final Set<String> BOTH =
      Set.of(MonitoringCrds.SERVICE_MONITORS, MonitoringCrds.PROMETHEUS_RULES);

  private static LLMDeployment llmd(String monitoring) {
    return Serialization.unmarshal(
        """
        apiVersion: llm.cairn.dev/v1alpha1
        kind: LLMDeployment
        metadata: {name: tiny, namespace: demo, generation: 1}
        spec:
          model: {source: "file:models/tiny-shakespeare"}
          accelerator: {type: cpu, count: 0}
          replicas: 1
        """
            + monitoring,
        LLMDeployment.class);
  }

  private static Condition monitoringReady(LLMDeployment l, Set<String> crds) {
    StatusAggregator.Result base =
        new StatusAggregator(CLOCK)
            .aggregate(l, 1, Optional.empty(), List.of(), pod -> java.util.OptionalDouble.empty());
    StatusAggregator.Result r = MonitoringStatus.apply(base, MonitoringSwitches.of(l), crds);
    return r.status().getConditions().stream()
        .filter(c -> c.getType().equals(Conditions.MONITORING_READY))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void trueWhenEveryEnabledItemsCrdIsInstalled() {
    Condition c = monitoringReady(llmd(""), BOTH);
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo(Reason.MONITORING_CONFIGURED);
    assertThat(c.getMessage()).contains("ServiceMonitor", "PrometheusRule", "dashboard");
  }

  @Test
  void missingServiceMonitorCrdIsNamedWithTheInstallHint() {
    Condition c = monitoringReady(llmd(""), Set.of());
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo(Reason.SERVICE_MONITOR_CRD_MISSING);
    assertThat(c.getMessage())
        .contains(MonitoringCrds.SERVICE_MONITORS, MonitoringCrds.PROMETHEUS_RULES)
        .contains("kube-prometheus-stack");
  }

  @Test
  void missingRuleCrdMattersOnlyWhileAlertsAreEnabled() {
    Set<String> smOnly = Set.of(MonitoringCrds.SERVICE_MONITORS);
    assertThat(monitoringReady(llmd(""), smOnly).getReason())
        .isEqualTo(Reason.PROMETHEUS_RULE_CRD_MISSING);
    Condition noAlerts =
        monitoringReady(llmd("  monitoring: {alerts: {enabled: false}}\n"), smOnly);
    assertThat(noAlerts.getStatus()).isEqualTo("True");
    assertThat(noAlerts.getMessage()).doesNotContain("PrometheusRule");
  }

  @Test
  void allOffIsMonitoringDisabled() {
    Condition c =
        monitoringReady(
            llmd(
                """
                  monitoring:
                    serviceMonitor: {enabled: false}
                    alerts: {enabled: false}
                    dashboard: {enabled: false}
                """),
            Set.of());
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo(Reason.MONITORING_DISABLED);
  }
}
