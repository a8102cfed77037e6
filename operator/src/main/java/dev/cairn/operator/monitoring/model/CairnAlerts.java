package dev.cairn.operator.monitoring.model;

import dev.cairn.api.MetricNames;
import dev.cairn.api.v1alpha1.AlertsSpec;
import dev.cairn.api.v1alpha1.AutoscalingSpec;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.SloSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** The alerting rules for one LLMDeployment, every expression scoped to its namespace and name. */
public final class CairnAlerts {
  /** Rate window of the ratio and quantile alerts; `for` then demands it held that long. */
  static final String WINDOW = "5m";

  private static final String BY = "namespace, deployment";
  private static final String WHERE = "{{ $labels.namespace }}/{{ $labels.deployment }}";

  private CairnAlerts() {}

  /**
   * The rules for this resource. Engine-metric alerts exist only while logEngineMetrics is on (the
   * series would never exist otherwise); the at-maximum alert only when autoscaling has room.
   */
  public static List<AlertRule> rules(LLMDeployment llmd) {
    AlertsSpec a = MonitoringMetadata.monitoring(llmd).getAlerts();
    AlertsSpec defaults = new AlertsSpec();
    if (a == null) {
      a = defaults;
    }
    String sel = selector(MonitoringMetadata.namespace(llmd), MonitoringMetadata.name(llmd));
    int forSeconds = orDefault(a.getForSeconds(), defaults.getForSeconds());
    List<AlertRule> rules = new ArrayList<>();
    rules.add(errorRate(sel, orDefault(a.getErrorRate(), defaults.getErrorRate()), forSeconds));
    if (llmd.getSpec().engineMetricsEnabled()) {
      rules.add(
          ttft(sel, orDefault(a.getTtftP90Seconds(), defaults.getTtftP90Seconds()), forSeconds));
      rules.add(
          kvCache(sel, orDefault(a.getKvCacheUsage(), defaults.getKvCacheUsage()), forSeconds));
      rules.add(
          waiting(
              sel, orDefault(a.getWaitingRequests(), defaults.getWaitingRequests()), forSeconds));
    }
    AutoscalingSpec as = llmd.getSpec().getAutoscaling();
    if (as != null && as.effectiveMaxReplicas() > as.effectiveMinReplicas()) {
      rules.add(atMaximum(sel, as.effectiveMaxReplicas(), forSeconds));
    }
    rules.add(noReadyReplica(sel, forSeconds));
    SloSpec slo = slo(a);
    if (slo != null) {
      rules.addAll(SloRules.alerts(SloRules.availability(slo), sel));
      if (llmd.getSpec().engineMetricsEnabled()) {
        rules.addAll(SloRules.alerts(SloRules.ttft(slo), sel));
      }
    }
    return rules;
  }

  /**
   * The SLO alerts' bad-event ratios, one per window; the TTFT ones only with engine metrics on.
   * They sit before the alerts in the group, which Prometheus evaluates in order.
   */
  public static List<RecordingRule> recordingRules(LLMDeployment llmd) {
    SloSpec slo = slo(MonitoringMetadata.monitoring(llmd).getAlerts());
    if (slo == null) {
      return List.of();
    }
    String sel = selector(MonitoringMetadata.namespace(llmd), MonitoringMetadata.name(llmd));
    List<RecordingRule> rules = new ArrayList<>(SloRules.availabilityRecordings(sel));
    if (llmd.getSpec().engineMetricsEnabled()) {
      rules.addAll(SloRules.ttftRecordings(sel, slo.getTtftSeconds()));
    }
    return rules;
  }

  /** The objectives with defaults filled in, or null when switched off. */
  private static SloSpec slo(AlertsSpec alerts) {
    SloSpec given = alerts == null || alerts.getSlo() == null ? new SloSpec() : alerts.getSlo();
    if (!given.switchedOn()) {
      return null;
    }
    SloSpec d = new SloSpec();
    SloSpec slo = new SloSpec();
    slo.setAvailability(orDefault(given.getAvailability(), d.getAvailability()));
    slo.setTtftSeconds(orDefault(given.getTtftSeconds(), d.getTtftSeconds()));
    slo.setTtftTarget(orDefault(given.getTtftTarget(), d.getTtftTarget()));
    return slo;
  }

  private static AlertRule errorRate(String sel, double threshold, int forSeconds) {
    String errors = rate(MetricNames.REQUESTS_TOTAL, sel.replace("}", ", status=~\"5..\"}"));
    String all = rate(MetricNames.REQUESTS_TOTAL, sel);
    return new AlertRule(
        "CairnHighErrorRate",
        "sum by ("
            + BY
            + ") ("
            + errors
            + ")\n/\nsum by ("
            + BY
            + ") ("
            + all
            + ")\n> "
            + num(threshold),
        forSeconds,
        "warning",
        "LLM server errors above " + percent(threshold) + " on " + WHERE,
        "{{ $value | humanizePercentage }} of the requests to "
            + WHERE
            + " answered 5xx over the"
            + " last "
            + WINDOW
            + " (threshold "
            + percent(threshold)
            + ").");
  }

  private static AlertRule ttft(String sel, double seconds, int forSeconds) {
    String buckets = rate(MetricNames.VLLM_TTFT + "_bucket", sel);
    return new AlertRule(
        "CairnSlowTimeToFirstToken",
        "histogram_quantile(0.9, sum by (" + BY + ", le) (" + buckets + "))\n> " + num(seconds),
        forSeconds,
        "warning",
        "Time to first token p90 above " + num(seconds) + "s on " + WHERE,
        "The 90th percentile time to first token of "
            + WHERE
            + " is {{ $value | humanizeDuration"
            + " }} (threshold "
            + num(seconds)
            + "s): requests queue or prefill is too slow.");
  }

  private static AlertRule kvCache(String sel, double usage, int forSeconds) {
    return new AlertRule(
        "CairnKVCacheNearlyFull",
        "max by (" + BY + ", pod) (" + MetricNames.VLLM_KV_USAGE + sel + ")\n> " + num(usage),
        forSeconds,
        "warning",
        "KV cache nearly full on " + WHERE + " pod {{ $labels.pod }}",
        "KV-cache usage of "
            + WHERE
            + " pod {{ $labels.pod }} is {{ $value | humanizePercentage"
            + " }} (threshold "
            + percent(usage)
            + "): requests wait or are preempted.");
  }

  private static AlertRule waiting(String sel, int waiting, int forSeconds) {
    return new AlertRule(
        "CairnRequestsWaiting",
        "sum by (" + BY + ") (" + MetricNames.VLLM_WAITING + sel + ")\n> " + waiting,
        forSeconds,
        "warning",
        "More than " + waiting + " requests waiting on " + WHERE,
        "{{ $value }} requests of "
            + WHERE
            + " wait for a batch slot or KV-cache space"
            + " (threshold "
            + waiting
            + "): add replicas or KV-cache memory.");
  }

  private static AlertRule atMaximum(String sel, int max, int forSeconds) {
    return new AlertRule(
        "CairnReplicasAtMaximum",
        "max by (" + BY + ") (" + MetricNames.AUTOSCALER_DESIRED + sel + ")\n>= " + max,
        forSeconds,
        "warning",
        WHERE + " is stuck at its maximum of " + max + " replicas",
        "The autoscaler wants {{ $value }} replicas for "
            + WHERE
            + ", its maxReplicas ("
            + max
            + "): load exceeds what the deployment may scale to; raise maxReplicas.");
  }

  private static AlertRule noReadyReplica(String sel, int forSeconds) {
    // Scaled to zero on purpose (kubectl scale --replicas=0) is not an outage: require desired > 0.
    return new AlertRule(
        "CairnNoReadyReplica",
        "max by ("
            + BY
            + ") ("
            + MetricNames.AUTOSCALER_READY
            + sel
            + ") == 0\nand on ("
            + BY
            + ")\nmax by ("
            + BY
            + ") ("
            + MetricNames.AUTOSCALER_DESIRED
            + sel
            + ") > 0",
        forSeconds,
        "critical",
        "No ready replica serves " + WHERE,
        WHERE
            + " wants replicas but none has been ready for "
            + forSeconds
            + "s: the model"
            + " cannot be reached. Check the pods' events and the LLMDeployment's conditions.");
  }

  private static String rate(String metric, String sel) {
    return "rate(" + metric + sel + "[" + WINDOW + "])";
  }

  static String selector(String namespace, String name) {
    return "{"
        + MetricNames.LABEL_NAMESPACE
        + "=\""
        + escape(namespace)
        + "\", "
        + MetricNames.LABEL_DEPLOYMENT
        + "=\""
        + escape(name)
        + "\"}";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Shortest exact decimal: 0.05 stays 0.05, 2.0 becomes 2. */
  static String num(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String percent(double ratio) {
    return num(ratio * 100) + "%";
  }

  private static <T> T orDefault(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
