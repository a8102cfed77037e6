package dev.cairn.api.v1alpha1.validation;

/**
 * One broken rule of an LLMDeployment spec.
 *
 * @param field the JSON path of the offending field, e.g. {@code spec.autoscaling.maxReplicas}
 * @param message what is wrong and what is accepted
 */
public record Violation(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
