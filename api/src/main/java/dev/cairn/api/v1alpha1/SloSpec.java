package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Service-level objectives whose error budgets the multi-window burn-rate alerts guard. */
@JsonClassDescription(
    "Service-level objectives: multi-window burn-rate alerts (Google SRE workbook) page when the"
        + " error budget burns 14.4x over 1h and 5m or 6x over 6h and 30m, and open a ticket at 3x"
        + " over 1d and 2h or 1x over 3d and 6h.")
@ValidationRule(
    value = "!has(self.availability) || (self.availability > 0.0 && self.availability < 1.0)",
    message = "slo.availability must lie in (0, 1)")
@ValidationRule(
    value = "!has(self.ttftSeconds) || self.ttftSeconds > 0.0",
    message = "slo.ttftSeconds must be greater than 0")
@ValidationRule(
    value = "!has(self.ttftTarget) || (self.ttftTarget > 0.0 && self.ttftTarget < 1.0)",
    message = "slo.ttftTarget must lie in (0, 1)")
public class SloSpec {
  @Default("true")
  @JsonPropertyDescription("Render the SLO recording rules and burn-rate alerts.")
  private Boolean enabled = true;

  @Default("0.995")
  @JsonPropertyDescription(
      "Share of completion requests (every endpoint but /v1/models) that must not answer 5xx, 0-1.")
  private Double availability = 0.995;

  @Default("2.0")
  @JsonPropertyDescription(
      "A request is fast when its time to first token is at most this many seconds; rounded up to"
          + " the nearest bucket bound of vllm:time_to_first_token_seconds (2 counts up to 2.5).")
  private Double ttftSeconds = 2.0;

  @Default("0.95")
  @JsonPropertyDescription("Share of requests that must be fast (see ttftSeconds), 0-1.")
  private Double ttftTarget = 0.95;

  /** True unless switched off. */
  public boolean switchedOn() {
    return enabled == null || enabled;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Double getAvailability() {
    return availability;
  }

  public void setAvailability(Double availability) {
    this.availability = availability;
  }

  public Double getTtftSeconds() {
    return ttftSeconds;
  }

  public void setTtftSeconds(Double ttftSeconds) {
    this.ttftSeconds = ttftSeconds;
  }

  public Double getTtftTarget() {
    return ttftTarget;
  }

  public void setTtftTarget(Double ttftTarget) {
    this.ttftTarget = ttftTarget;
  }
}
