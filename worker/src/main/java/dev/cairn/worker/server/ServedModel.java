package dev.cairn.worker.server;

import dev.cairn.worker.engine.Engine;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.tokenizer.Tokenizer;

/**
 * The loaded model as the HTTP layer needs it: a name, text ⇄ tokens, the chat template and a
 * running engine. Built by a {@link ModelLoader}.
 *
 * @param id the name clients send as {@code model}
 * @param tokenizer the model's tokenizer
 * @param chatTemplate renders chat messages into the prompt
 * @param engine the running engine
 * @param defaults sampling defaults from the generation config
 * @param maxModelLen the longest prompt plus completion accepted, in tokens
 * @param createdEpochSeconds when the model was loaded (the {@code created} field)
 * @param adapters the LoRA adapters served on top, or null when spec.lora is unset
 * @param structured compiles structured-output requests for this model's vocabulary, or null when
 *     the model offers none (such requests answer 400)
 */
public record ServedModel(
    String id,
    Tokenizer tokenizer,
    ChatRenderer chatTemplate,
    Engine engine,
    SamplingDefaults defaults,
    int maxModelLen,
    long createdEpochSeconds,
    AdapterRegistry adapters,
    StructuredOutputs structured) {

  /** A model without LoRA adapters or structured output. */
  public ServedModel(
      String id,
      Tokenizer tokenizer,
      ChatRenderer chatTemplate,
      Engine engine,
      SamplingDefaults defaults,
      int maxModelLen,
      long createdEpochSeconds) {
    this(
        id,
        tokenizer,
        chatTemplate,
        engine,
        defaults,
        maxModelLen,
        createdEpochSeconds,
        null,
        null);
  }
}
