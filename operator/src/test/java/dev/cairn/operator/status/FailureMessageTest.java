package dev.cairn.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureMessageTest {
  private static KubernetesClientException api(int code, String reason, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withReason(reason).withMessage(message).build());
  }

  @Test
  void namesEachFailedChildWithTheApiServersAnswer() {
    var e =
        new OperatorException(
            new AggregatedOperatorException(
                "Exception(s) during workflow execution",
                Map.of(
                    "service",
                    new KubernetesClientException("wrapped", api(409, "Conflict", "stale")),
                    "deployment",
                    api(500, "InternalError", "etcdserver: timeout"))));

    assertThat(FailureMessage.of(e))
        .isEqualTo(
            "deployment: HTTP 500 InternalError: etcdserver: timeout;"
                + " service: HTTP 409 Conflict: stale");
  }

  @Test
  void withoutAnApiAnswerTheInnermostMessageIsUsed() {
    var e = new KubernetesClientException("request failed", new IOException("connection reset"));

    assertThat(FailureMessage.of(e)).isEqualTo("connection reset");
    assertThat(FailureMessage.of(new IllegalStateException())).isEqualTo("IllegalStateException");
  }
}
