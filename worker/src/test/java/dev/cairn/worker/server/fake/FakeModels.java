package dev.cairn.worker.server.fake;

import dev.cairn.worker.server.SamplingDefaults;
import dev.cairn.worker.server.ServedModel;
import dev.cairn.worker.server.StructuredOutputs;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.tokenizer.ChatMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;

/** A served model over the fakes: byte tokenizer, a plain-text chat template, the fake engine. */
public final class FakeModels {
  public static final String MODEL_ID = "fake-model";
  public static final int MAX_MODEL_LEN = 256;

  /** Where the fake models' structured-output metrics go. */
  public static final MeterRegistry METRICS = new SimpleMeterRegistry();

  private FakeModels() {}

  public static ServedModel served(FakeEngine engine) {
    return served(MODEL_ID, engine);
  }

  public static ServedModel served(String id, FakeEngine engine) {
    return new ServedModel(
        id,
        new ByteTokenizer(),
        FakeModels::render,
        engine,
        SamplingDefaults.none(),
        engine.maxModelLen(),
        1_700_000_000L,
        null,
        new StructuredOutputs(byteVocabulary(), Set.of(ByteTokenizer.EOS), METRICS, id));
  }

  /** The {@link ByteTokenizer}'s vocabulary: id b is byte b; EOS has no bytes. */
  private static TokenVocabulary byteVocabulary() {
    byte[][] bytes = new byte[ByteTokenizer.EOS + 1][];
    for (int b = 0; b < 256; b++) {
      bytes[b] = new byte[] {(byte) b};
    }
    return TokenVocabulary.of(bytes);
  }

  /**
   * "role: content\n" per message; rejects a conversation mentioning RAISE, like raise_exception.
   */
  static String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : messages) {
      if (m.content().contains("RAISE")) {
        throw new IllegalArgumentException("Conversation roles must alternate");
      }
      sb.append(m.role()).append(": ").append(m.content()).append('\n');
    }
    if (addGenerationPrompt) {
      sb.append("assistant:");
    }
    return sb.toString();
  }
}
