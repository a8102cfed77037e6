package dev.cairn.worker.engine.output;

import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.PromptLogprobs;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.StopReason;
import dev.cairn.worker.engine.TokenLogprob;
import dev.cairn.worker.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Per-request output processing: decides when a new token ends the request (EOS and stop ids, stop
 * strings, max_tokens, max model length) and collects what the next {@link RequestOutput} carries,
 * holding back text that is an incomplete character or a possible stop string.
 */
public final class OutputTracker {

  private final String requestId;
  private final Tokenizer tokenizer;
  private final SamplingParams params;
  private final Set<Integer> eosIds;
  private final int numPromptTokens;
  private final int maxModelLen;
  private final IncrementalDetokenizer detokenizer;
  private final StopStringMatcher stopMatcher;
  private final StringBuilder text = new StringBuilder();
  private int emittedChars;
  private int numGenerated;
  private int[] pendingTokens = new int[8];
  private int numPending;
  private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
  private final List<List<TokenLogprob>> pendingTop = new ArrayList<>();
  private StopReason stopReason;
  private PromptLogprobs promptLogprobs;

  public OutputTracker(
      String requestId,
      Tokenizer tokenizer,
      SamplingParams params,
      int[] prompt,
      Set<Integer> eosIds,
      int maxModelLen) {
    this.requestId = requestId;
    this.tokenizer = tokenizer;
    this.params = params;
    this.eosIds = eosIds;
    this.numPromptTokens = prompt.length;
    this.maxModelLen = maxModelLen;
    this.detokenizer = new IncrementalDetokenizer(tokenizer, prompt, true);
    this.stopMatcher = new StopStringMatcher(params.stop());
  }

  /**
   * Takes one generated token (with its logprobs when asked for) and returns why the request
   * finishes now, or null to go on.
   */
  public FinishReason accept(int token, double logprob, int[] topIds, double[] topLogprobs) {
    numGenerated++;
    addPending(token, logprob, topIds, topLogprobs);
    if (isStopToken(token)) {
      // vLLM reports the id of a stop token, but nothing for EOS.
      boolean eos = !params.ignoreEos() && eosIds.contains(token);
      stopReason = eos ? null : StopReason.token(token);
      return FinishReason.STOP; // the stop token's own text is not part of the completion
    }
    int before = text.length();
    text.append(detokenizer.add(token));
    if (stopAt(before)) {
      return FinishReason.STOP;
    }
    if (numGenerated >= params.maxTokens() || numPromptTokens + numGenerated >= maxModelLen) {
      return FinishReason.LENGTH;
    }
    return null;
  }

  /** Whether the token ends generation (EOS unless ignored, or one of the request's stop ids). */
  private boolean isStopToken(int token) {
    Set<Integer> stopIds = params.stopTokenIds();
    return (!params.ignoreEos() && eosIds.contains(token))
        || (stopIds != null && stopIds.contains(token));
  }

  /** Whether a new output is due: tokens generated since the last one. */
  public boolean hasPending() {
    return numPending > 0;
  }

  /** Builds the next output and clears what it carries; on finish, releases held-back text. */
  public RequestOutput takeOutput(FinishReason finish, String error) {
    if (finish == FinishReason.LENGTH || finish == FinishReason.ABORT) {
      text.append(detokenizer.flush());
      stopAt(emittedChars);
    }
    int end = finish != null ? text.length() : text.length() - stopMatcher.holdBack(text);
    end = Math.max(end, emittedChars);
    String delta = text.substring(emittedChars, end);
    emittedChars = end;
    RequestOutput out =
        new RequestOutput(
            requestId,
            Arrays.copyOf(pendingTokens, numPending),
            delta,
            List.copyOf(pendingLogprobs),
            List.copyOf(pendingTop),
            finish,
            finish == null ? null : stopReason,
            promptLogprobs,
            numPromptTokens,
            numGenerated,
            error);
    promptLogprobs = null;
    numPending = 0;
    pendingLogprobs.clear();
    pendingTop.clear();
    return out;
  }

  /** Attaches the prompt's logprobs to the next output. */
  public void setPromptLogprobs(PromptLogprobs logprobs) {
    this.promptLogprobs = logprobs;
  }

  /** Cuts the text at the earliest stop string ending after {@code from}; whether one matched. */
  private boolean stopAt(int from) {
    int match = stopMatcher.findMatch(text, from);
    if (match < 0) {
      return false;
    }
    stopReason = StopReason.string(stopMatcher.matchAt(text, match));
    text.setLength(match);
    return true;
  }

  /** The completion text so far (including any held-back part). */
  public String text() {
    return text.toString();
  }

  private void addPending(int token, double logprob, int[] topIds, double[] topLogprobs) {
    if (numPending == pendingTokens.length) {
      pendingTokens = Arrays.copyOf(pendingTokens, numPending * 2);
    }
    pendingTokens[numPending++] = token;
    if (params.logprobs() == null) {
      return;
    }
    pendingLogprobs.add(new TokenLogprob(token, tokenText(token), logprob));
    List<TokenLogprob> top = new ArrayList<>(topIds.length);
    for (int i = 0; i < topIds.length; i++) {
      top.add(new TokenLogprob(topIds[i], tokenText(topIds[i]), topLogprobs[i]));
    }
    pendingTop.add(List.copyOf(top));
  }

  private String tokenText(int token) {
    return tokenizer.decode(new int[] {token}, false);
  }
}
