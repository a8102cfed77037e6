package dev.cairn.worker.server;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.PromptLogprobs;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.StopReason;
import dev.cairn.worker.engine.TokenLogprob;
import dev.cairn.worker.server.toolcall.ToolCallStream;
import java.util.ArrayList;
import java.util.List;

/** What one choice has produced so far; only touched on the request's Vert.x context. */
final class ChoiceState {
  final int index;
  final int promptIndex;
  final StringBuilder text = new StringBuilder();
  final List<TokenLogprob> logprobs = new ArrayList<>();
  final List<List<TokenLogprob>> topLogprobs = new ArrayList<>();
  int generatedTokens;
  int promptTokens;
  FinishReason finishReason;
  StopReason stopReason;
  String error;

  /** Echo: the prompt's text and its first token (which has no logprob), else null. */
  String echoText;

  TokenLogprob echoFirstToken;

  /** Echo with logprobs: the rest of the prompt's tokens, from the engine's first output. */
  PromptLogprobs promptLogprobs;

  /** Chat with tools (auto, required or named): reads the text for tool calls; else null. */
  ToolCallStream tools;

  /** Characters of token text before the latest output's tokens (completions' text_offset). */
  int textOffsetBefore;

  private int textOffset;

  ChoiceState(int index, int promptIndex) {
    this.index = index;
    this.promptIndex = promptIndex;
  }

  void add(RequestOutput out) {
    text.append(out.textDelta());
    textOffsetBefore = textOffset;
    for (TokenLogprob lp : out.logprobs()) {
      textOffset += lp.text().length();
    }
    logprobs.addAll(out.logprobs());
    topLogprobs.addAll(out.topLogprobs());
    generatedTokens = out.generatedTokens();
    promptTokens = out.promptTokens();
    if (out.promptLogprobs() != null) {
      promptLogprobs = out.promptLogprobs();
    }
    if (out.finished()) {
      finishReason = out.finishReason();
      stopReason = out.stopReason();
      error = out.error();
    }
  }

  boolean finished() {
    return finishReason != null;
  }
}
