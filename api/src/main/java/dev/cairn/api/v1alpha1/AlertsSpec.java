package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.LinkedHashMap;
import java.util.Map;

/** Alert thresholds rendered into a PrometheusRule. */
@JsonClassDescription("Alerting rules (a PrometheusRule) with their thresholds.")
public class AlertsSpec {
  @Default("true")
  @JsonPropertyDescription("Create a PrometheusRule (needs the monitoring.coreos.com/v1 CRD).")
  private Boolean enabled = true;

  @Min(0)
  @Default("2.0")
  @JsonPropertyDescription("Alert when the 90th percentile time to first token exceeds this.")
  private Double ttftP90Seconds = 2.0;

  @Min(0)
  @Max(1)
  @Default("0.05")
  @JsonPropertyDescription("Alert when the share of 5xx responses exceeds this (0-1).")
  private Double errorRate = 0.05;

  @Min(0)
  @Max(1)
  @Default("0.95")
  @JsonPropertyDescription("Alert when KV-cache usage stays above this (0-1).")
  private Double kvCacheUsage = 0.95;

  @Min(0)
  @Default("10")
  @JsonPropertyDescription("Alert when more requests than this wait for a replica.")
  private Integer waitingRequests = 10;

  @Min(0)
  @Default("300")
  @JsonPropertyDescription("Seconds a condition must hold before its alert fires.")
  private Integer forSeconds = 300;

  @JsonPropertyDescription(
      "Service-level objectives with multi-window burn-rate alerts for availability and TTFT.")
  private SloSpec slo = new SloSpec();

  @JsonPropertyDescription("Labels on the PrometheusRule (e.g. release: <helm release>).")
  private Map<String, String> labels = new LinkedHashMap<>();

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Double getTtftP90Seconds() {
    return ttftP90Seconds;
  }

  public void setTtftP90Seconds(Double ttftP90Seconds) {
    this.ttftP90Seconds = ttftP90Seconds;
  }

  public Double getErrorRate() {
    return errorRate;
  }

  public void setErrorRate(Double errorRate) {
    this.errorRate = errorRate;
  }

  public Double getKvCacheUsage() {
    return kvCacheUsage;
  }

  public void setKvCacheUsage(Double kvCacheUsage) {
    this.kvCacheUsage = kvCacheUsage;
  }

  public Integer getWaitingRequests() {
    return waitingRequests;
  }

  public void setWaitingRequests(Integer waitingRequests) {
    this.waitingRequests = waitingRequests;
  }

  public Integer getForSeconds() {
    return forSeconds;
  }

  public void setForSeconds(Integer forSeconds) {
    this.forSeconds = forSeconds;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public SloSpec getSlo() {
    return slo;
  }

  public void setSlo(SloSpec slo) {
    this.slo = slo;
  }
}
