package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Grafana dashboard ConfigMap for this deployment. */
@JsonClassDescription("The Grafana dashboard ConfigMap, picked up by the Grafana sidecar.")
public class DashboardSpec {
  @Default("true")
  @JsonPropertyDescription("Create a ConfigMap holding the Cairn LLM dashboard.")
  private Boolean enabled = true;

  @JsonPropertyDescription(
      "Labels on the ConfigMap that the Grafana sidecar watches; default grafana_dashboard: \"1\".")
  private Map<String, String> labels = new LinkedHashMap<>(Map.of("grafana_dashboard", "1"));

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }
}
