package dev.cairn.worker.tokenizer;

import java.util.OptionalInt;

/** Text ⇄ token ids for one model, from its {@code tokenizer.json}. */
public interface Tokenizer extends AutoCloseable {

  /**
   * Encodes text as the model sees it. Special-token strings in the text (such as {@code
   * <|im_start|>} written by a chat template) become their ids; no BOS/EOS is added unless the
   * tokenizer's own post-processor adds one.
   */
  int[] encode(String text);

  /** Decodes ids to text; special tokens are left out when {@code skipSpecialTokens}. */
  String decode(int[] ids, boolean skipSpecialTokens);

  /** Number of ids the tokenizer can produce (including added tokens). */
  int vocabSize();

  /** The id of a token string (e.g. {@code "<|im_end|>"}), if the vocabulary has it. */
  OptionalInt tokenId(String token);

  @Override
  void close();
}
