package dev.cairn.worker.config;

import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the worker is configured with: the validated LLMDeployment spec plus the secrets and
 * paths the operator passes as environment variables.
 *
 * @param spec the validated spec (never null; model and accelerator present)
 * @param modelId the name clients send as {@code model}
 * @param origin where the spec came from, for log lines and error messages
 * @param apiKeys the keys {@code /v1} requests must present ({@link ApiKeys#NONE}: open)
 * @param hfToken Hugging Face token for gated models, when set
 * @param modelCache where downloaded models are kept
 */
public record WorkerConfig(
    LLMDeploymentSpec spec,
    String modelId,
    String origin,
    ApiKeys apiKeys,
    Optional<String> hfToken,
    Path modelCache) {

  /** The model source, e.g. {@code hf://Qwen/Qwen2.5-0.5B-Instruct} or {@code file:models/x}. */
  public String modelSource() {
    return spec.getModel().getSource();
  }
}
