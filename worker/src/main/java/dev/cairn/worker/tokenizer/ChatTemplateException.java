package dev.cairn.worker.tokenizer;

/** A chat template refused the conversation ({@code raise_exception}) or could not be rendered. */
public final class ChatTemplateException extends RuntimeException {

  /** Creates the exception with the message the client will see. */
  public ChatTemplateException(String message) {
    super(message);
  }
}
