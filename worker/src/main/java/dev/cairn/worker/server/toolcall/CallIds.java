package dev.cairn.worker.server.toolcall;

import java.security.SecureRandom;
import java.util.function.Supplier;

/** Tool-call ids as OpenAI writes them: {@code call_} and 24 letters and digits. */
public final class CallIds implements Supplier<String> {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  public String get() {
    StringBuilder id = new StringBuilder("call_");
    for (int i = 0; i < 24; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }
}
