package dev.cairn.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.v1alpha1.Conditions;
import dev.cairn.api.v1alpha1.Conditions.Reason;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.util.List;

/** Status is written only when it differs from what the API server already holds. */
public final class StatusWrites {
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private StatusWrites() {}

  /** A status patch when the new status differs (order-insensitively) from the old one. */
  public static UpdateControl<LLMDeployment> ifChanged(
      LLMDeployment llmd, LLMDeploymentStatus next) {
    if (same(llmd.getStatus(), next)) {
      return UpdateControl.noUpdate();
    }
    llmd.setStatus(next);
    return UpdateControl.patchStatus(llmd);
  }

  /** The status after a failed reconcile: Degraded with the API error, the rest kept. */
  public static ErrorStatusUpdateControl<LLMDeployment> failed(
      LLMDeployment llmd, String message, Clock clock) {
    LLMDeploymentStatus old =
        llmd.getStatus() == null ? new LLMDeploymentStatus() : llmd.getStatus();
    LLMDeploymentStatus next = JSON.convertValue(old, LLMDeploymentStatus.class);
    long generation =
        llmd.getMetadata().getGeneration() == null ? 0 : llmd.getMetadata().getGeneration();
    ConditionSet cs = new ConditionSet(old.getConditions(), generation, clock.instant());
    cs.set(Conditions.DEGRADED, true, Reason.RECONCILE_FAILED, message);
    next.setConditions(
        cs.toList(List.of(Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED)));
    if (same(llmd.getStatus(), next)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    llmd.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(llmd);
  }

  static boolean same(LLMDeploymentStatus a, LLMDeploymentStatus b) {
    JsonNode x = a == null ? null : JSON.valueToTree(a);
    JsonNode y = b == null ? null : JSON.valueToTree(b);
    return x == null ? y == null : x.equals(y);
  }
}
