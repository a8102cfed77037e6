package dev.cairn.worker.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing sequence of generated ids into text deltas for streaming, as vLLM's detokenizer
 * does: a character whose UTF-8 bytes span several byte-level tokens (é, 中, emoji) is held back
 * until complete, and tokens whose text depends on their neighbours decode correctly. Not
 * thread-safe: one per sequence.
 */
public final class IncrementalDecoder {

  private static final char REPLACEMENT = '\uFFFD';
  // Decoding starts a few tokens before the unread ones so that merges at the boundary (a leading
  // space, a split character) come out the same as in a full decode.
  private static final int CONTEXT = 5;

  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[16];
  private int size;
  private int prefixOffset;
  private int readOffset;

  /**
   * A decoder for tokens generated after {@code promptIds} (which give context, not output).
   *
   * @param skipSpecialTokens leave special tokens such as EOS out of the text
   */
  public IncrementalDecoder(Tokenizer tokenizer, int[] promptIds, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
    int keep = Math.min(CONTEXT, promptIds.length);
    for (int i = promptIds.length - keep; i < promptIds.length; i++) {
      push(promptIds[i]);
    }
    prefixOffset = 0;
    readOffset = size;
  }

  /** Adds one generated id and returns the text it completes (possibly empty). */
  public String add(int id) {
    push(id);
    String prefixText = decode(prefixOffset, readOffset);
    String newText = decode(prefixOffset, size);
    if (newText.length() > prefixText.length()
        && newText.charAt(newText.length() - 1) != REPLACEMENT) {
      String delta = newText.substring(prefixText.length());
      prefixOffset = readOffset;
      readOffset = size;
      return delta;
    }
    return "";
  }

  /** Text still held back at the end of generation (an incomplete character shows as U+FFFD). */
  public String flush() {
    String rest = decode(prefixOffset, size).substring(decode(prefixOffset, readOffset).length());
    prefixOffset = readOffset = size;
    return rest;
  }

  private String decode(int from, int to) {
    return tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
  }

  private void push(int id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
  }
}
