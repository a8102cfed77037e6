package dev.cairn.worker.server.fake;

import dev.cairn.worker.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/** A byte-level tokenizer for tests: token id = UTF-8 byte, plus {@code <eos>} = 256. */
public final class ByteTokenizer implements Tokenizer {
  public static final int EOS = 256;

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id < 256) {
        out.write(id);
      } else if (!skipSpecialTokens) {
        out.writeBytes("<eos>".getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return 257;
  }

  @Override
  public OptionalInt tokenId(String token) {
    return "<eos>".equals(token) ? OptionalInt.of(EOS) : OptionalInt.empty();
  }

  @Override
  public void close() {}
}
