package dev.cairn.worker.server;

/**
 * A request failure answered in OpenAI's error format {@code {"error": {"message", "type", "param",
 * "code"}}}, where {@code code} is the HTTP status.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final int retryAfterSeconds;

  public ApiException(int status, String type, String param, String message) {
    this(status, type, param, message, 0);
  }

  private ApiException(
      int status, String type, String param, String message, int retryAfterSeconds) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 400 for a bad value; {@code param} names the field. */
  public static ApiException badRequest(String param, String message) {
    return new ApiException(400, "invalid_request_error", param, message);
  }

  /** 404 for a model this worker does not serve. */
  public static ApiException modelNotFound(String model) {
    return new ApiException(
        404, "model_not_found", "model", "The model `" + model + "` does not exist.");
  }

  /** 503 while loading, after a failed load, or while draining. */
  public static ApiException unavailable(String message) {
    return new ApiException(503, "service_unavailable", null, message);
  }

  /**
   * 503 with {@code Retry-After} when the engine is at capacity: OpenAI answers overload with 503
   * and its clients retry it, honouring the header.
   */
  public static ApiException overloaded(String message, int retryAfterSeconds) {
    return new ApiException(503, "service_unavailable", null, message, retryAfterSeconds);
  }

  /** 504 when the request passed the server's deadline ({@code engine.requestTimeoutSeconds}). */
  public static ApiException deadlineExceeded(String message) {
    return new ApiException(504, "timeout_error", null, message);
  }

  /** Seconds for the {@code Retry-After} header, or 0 for none. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The offending request field, or null. */
  public String param() {
    return param;
  }
}
