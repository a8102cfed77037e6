package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiErrorsTest {
  @Test
  void openAiErrorShape() {
    assertThat(ApiErrors.body(ApiException.badRequest("top_p", "bad")).toString())
        .isEqualTo(
            "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"top_p\","
                + "\"code\":400}}");
    assertThat(ApiErrors.body(ApiException.modelNotFound("x")).toString())
        .contains("\"type\":\"model_not_found\"", "\"code\":404", "\"param\":\"model\"");
  }

  @Test
  void unknownFailuresAre500() {
    ApiException e = ApiErrors.of(new IllegalStateException("boom"));
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.getMessage()).isEqualTo("boom");
    assertThat(ApiErrors.body(e).at("/error/param").isNull()).isTrue();
  }
}
