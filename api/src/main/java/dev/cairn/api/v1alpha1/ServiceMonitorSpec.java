package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Prometheus Operator ServiceMonitor that scrapes the workers. */
@JsonClassDescription("The Prometheus Operator ServiceMonitor that scrapes the workers.")
public class ServiceMonitorSpec {
  public static final String DURATION_PATTERN = "^([0-9]+(ms|s|m|h))+$";

  @Default("true")
  @JsonPropertyDescription("Create a ServiceMonitor (needs the monitoring.coreos.com/v1 CRD).")
  private Boolean enabled = true;

  @Default("15s")
  @Pattern(DURATION_PATTERN)
  @JsonPropertyDescription("Scrape interval, a Prometheus duration such as 15s.")
  private String interval = "15s";

  @JsonPropertyDescription(
      "Labels on the ServiceMonitor; kube-prometheus-stack selects release: <helm release>.")
  private Map<String, String> labels = new LinkedHashMap<>();

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }
}
