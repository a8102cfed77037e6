package dev.cairn.operator.replicas;

import dev.cairn.api.v1alpha1.LLMDeployment;

/**
 * How many worker replicas an LLMDeployment should run now. The default takes {@code
 * spec.replicas}, or, under autoscaling, the last decision kept in {@code status.desiredReplicas};
 * the autoscaler provides its own bean to put its live decision here.
 */
public interface DesiredReplicas {

  /** The replica count to put into the worker Deployment; never negative. */
  int of(LLMDeployment llmd);
}
