package dev.cairn.operator.autoscaler;

/**
 * Applies a scaling decision to the cluster: the operator writes the Deployment's replicas, {@code
 * status.desiredReplicas}, {@code status.lastScaleTime} and an Event with the decision's reason.
 */
public interface ScaleRealizer {

  /**
   * Called only for decisions that change the replica count. Throwing leaves the policy's timer as
   * it was, so the same change is retried on the next cycle.
   */
  void realize(DeploymentKey key, ScalingDecision decision) throws Exception;
}
