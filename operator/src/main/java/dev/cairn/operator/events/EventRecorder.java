package dev.cairn.operator.events;

import dev.cairn.api.v1alpha1.LLMDeployment;

/** Records Kubernetes Events on an LLMDeployment; never throws (events are best effort). */
public interface EventRecorder {
  String NORMAL = "Normal";
  String WARNING = "Warning";

  /**
   * @param type {@link #NORMAL} or {@link #WARNING}
   * @param reason CamelCase reason
   * @param message what happened, for humans
   */
  void record(LLMDeployment llmd, String type, String reason, String message);
}
