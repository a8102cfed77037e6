package dev.cairn.operator.autoscaler;

import java.util.Objects;

/** Identifies one autoscaled LLMDeployment: namespace/name. */
public record DeploymentKey(String namespace, String name) {

  /** Both parts are required. */
  public DeploymentKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
