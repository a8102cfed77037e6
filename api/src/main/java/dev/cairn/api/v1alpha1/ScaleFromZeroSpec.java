package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** Bounds on the requests the activator holds for a deployment at zero replicas. */
@JsonClassDescription(
    "Bounds on the requests cairn-activator holds while a deployment scaled to zero starts a"
        + " replica.")
public class ScaleFromZeroSpec {
  public static final int DEFAULT_QUEUE_SIZE = 100;
  public static final int DEFAULT_TIMEOUT_SECONDS = 300;

  @Min(1)
  @Default("100")
  @JsonPropertyDescription(
      "Most requests held at once; further ones get 503 with Retry-After until a replica is ready.")
  private Integer queueSize = DEFAULT_QUEUE_SIZE;

  @Min(1)
  @Default("300")
  @JsonPropertyDescription(
      "Seconds a request is held at most; then it gets 504 (size it to the model's load time).")
  private Integer timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

  public int effectiveQueueSize() {
    return queueSize != null ? queueSize : DEFAULT_QUEUE_SIZE;
  }

  public int effectiveTimeoutSeconds() {
    return timeoutSeconds != null ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  }

  public Integer getQueueSize() {
    return queueSize;
  }

  public void setQueueSize(Integer queueSize) {
    this.queueSize = queueSize;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }
}
