package dev.cairn.worker.engine;

import dev.cairn.worker.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * A byte-level tokenizer: ids 0–255 are single bytes (so one character can span several tokens),
 * 256 is {@code <eos>} and 257 {@code <pad>}, both special.
 */
public class FakeTokenizer implements Tokenizer {

  public static final int EOS = 256;
  public static final int PAD = 257;
  public static final int VOCAB = 258;

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (id < 256) {
        bytes.write(id);
        continue;
      }
      sb.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.reset();
      if (!skipSpecialTokens) {
        sb.append(id == EOS ? "<eos>" : "<pad>");
      }
    }
    sb.append(bytes.toString(StandardCharsets.UTF_8));
    return sb.toString();
  }

  @Override
  public int vocabSize() {
    return VOCAB;
  }

  @Override
  public OptionalInt tokenId(String token) {
    return switch (token) {
      case "<eos>" -> OptionalInt.of(EOS);
      case "<pad>" -> OptionalInt.of(PAD);
      default -> OptionalInt.empty();
    };
  }

  @Override
  public void close() {}
}
