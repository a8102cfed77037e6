package dev.cairn.worker.engine.output;

import dev.cairn.worker.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Streams text for generated tokens with vLLM's prefix/read offset technique: each new piece is the
 * difference between decoding {@code ids[prefix:]} and {@code ids[prefix:read]}, so tokenizers that
 * merge or prefix spaces decode correctly, and text ending in U+FFFD (an incomplete UTF-8
 * character) is held back until the following tokens complete it.
 */
public final class IncrementalDetokenizer {

  /** Prompt tokens kept as left context for the first generated tokens. */
  static final int PROMPT_CONTEXT = 5;

  private static final char REPLACEMENT = '\uFFFD';

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids;
  private int size;
  private int prefixOffset;
  private int readOffset;

  public IncrementalDetokenizer(Tokenizer tokenizer, int[] prompt, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
    int context = Math.min(PROMPT_CONTEXT, prompt.length);
    this.ids =
        Arrays.copyOf(Arrays.copyOfRange(prompt, prompt.length - context, prompt.length), 32);
    this.size = context;
    this.prefixOffset = 0;
    this.readOffset = context;
  }

  /** Adds a token; returns the text it completes (empty while a character is incomplete). */
  public String add(int token) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = token;
    String prefixText = decode(prefixOffset, readOffset);
    String fullText = decode(prefixOffset, size);
    if (fullText.length() > prefixText.length()
        && fullText.charAt(fullText.length() - 1) != REPLACEMENT) {
      prefixOffset = readOffset;
      readOffset = size;
      return fullText.substring(prefixText.length());
    }
    return "";
  }

  /** Text held back so far (possibly ending in U+FFFD); called once when the request ends. */
  public String flush() {
    if (readOffset == size) {
      return "";
    }
    String prefixText = decode(prefixOffset, readOffset);
    String fullText = decode(prefixOffset, size);
    prefixOffset = readOffset;
    readOffset = size;
    return fullText.length() > prefixText.length() ? fullText.substring(prefixText.length()) : "";
  }

  private String decode(int from, int to) {
    if (from >= to) {
      return "";
    }
    return tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
  }
}
