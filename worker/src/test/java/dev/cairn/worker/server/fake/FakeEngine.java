package dev.cairn.worker.server.fake;

import dev.cairn.worker.engine.Engine;
import dev.cairn.worker.engine.EngineOverloadedException;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.PromptLogprobs;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.StopReason;
import dev.cairn.worker.engine.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deterministic engine for tests, stepping on its own thread. Request r generates lowercase
 * letters: token i is {@code 'a' + (base + i) % 26}, where base is the prompt's id sum plus the
 * seed. It honours max_tokens, stop strings, stop token ids and aborts. Prompts containing {@code
 * HOLD} emit one token and then wait until aborted; prompts containing {@code FAIL} fail after one
 * token; prompts containing {@code SLOW} take 100 ms per token; prompts containing {@code EXPIRE}
 * pass their deadline after one token. With {@link #maxInFlight} set, submits beyond that many
 * unfinished requests are refused as overload.
 */
public final class FakeEngine implements Engine {
  private final int maxModelLen;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-engine");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  /** Every request submitted, in order. */
  public final List<GenerationRequest> submitted = new CopyOnWriteArrayList<>();

  /** Ids of requests aborted. */
  public final Set<String> aborted = ConcurrentHashMap.newKeySet();

  /** Unfinished requests allowed at once; more are refused with EngineOverloadedException. */
  public volatile int maxInFlight = Integer.MAX_VALUE;

  private volatile boolean accepting = true;

  public FakeEngine(int maxModelLen) {
    this.maxModelLen = maxModelLen;
  }

  @Override
  public RequestHandle submit(GenerationRequest request, Consumer<RequestOutput> listener) {
    if (!accepting) {
      throw new IllegalStateException("draining");
    }
    if (request.promptTokens().length + request.params().maxTokens() > maxModelLen) {
      throw new IllegalArgumentException("prompt plus max_tokens exceeds " + maxModelLen);
    }
    if (running.size() >= maxInFlight) {
      throw new EngineOverloadedException(running.size());
    }
    submitted.add(request);
    Running r = new Running(request, listener);
    running.put(request.requestId(), r);
    thread.execute(() -> step(r));
    return new RequestHandle() {
      @Override
      public String requestId() {
        return request.requestId();
      }

      @Override
      public void abort() {
        FakeEngine.this.abort(request.requestId());
      }
    };
  }

  private void step(Running r) {
    if (r.finished) {
      return;
    }
    SamplingParams p = r.request.params();
    int token = 'a' + (int) Math.floorMod(r.base + r.generated, 26L);
    r.generated++;
    String piece = String.valueOf((char) token);
    FinishReason finish = null;
    StopReason stopReason = null;
    int end;
    if (p.stopTokenIds().contains(token)) {
      finish = FinishReason.STOP;
      stopReason = StopReason.token(token);
      end = r.text.length();
    } else {
      r.text.append(piece);
      // Like the real engine, hold back text that may be the start of a stop string.
      int holdBack = p.stop().stream().mapToInt(String::length).max().orElse(1) - 1;
      end = Math.max(r.emitted, r.text.length() - holdBack);
      for (String stop : p.stop()) {
        int at = r.text.indexOf(stop);
        if (at >= 0) {
          end = at;
          finish = FinishReason.STOP;
          stopReason = StopReason.string(stop);
          break;
        }
      }
    }
    if (finish == null && r.generated >= p.maxTokens()) {
      finish = FinishReason.LENGTH;
      end = r.text.length();
    }
    String error = null;
    if (finish == null && r.prompt.contains("FAIL") && r.generated >= 2) {
      finish = FinishReason.ERROR;
      error = "injected failure";
    }
    if (finish == null && r.prompt.contains("EXPIRE") && r.generated >= 2) {
      finish = FinishReason.ABORT;
      error = "the request did not finish within the server's deadline of 1 s";
    }
    String delta = r.text.substring(r.emitted, Math.max(r.emitted, end));
    r.emitted = Math.max(r.emitted, end);
    emit(r, token, piece, delta, new Finish(finish, stopReason, error));
    if (finish == null && r.prompt.contains("SLOW")) {
      thread.schedule(() -> step(r), 100, TimeUnit.MILLISECONDS);
    } else if (finish == null && !r.prompt.contains("HOLD")) {
      thread.execute(() -> step(r));
    }
  }

  /** How a step ended the request, if it did. */
  private record Finish(FinishReason reason, StopReason stopReason, String error) {}

  /**
   * Prompt logprobs for requests that ask: prompt token i (from the second on) gets {@code -i/10}
   * and k alternatives.
   */
  private static PromptLogprobs promptLogprobs(GenerationRequest request) {
    Integer k = request.params().promptLogprobs();
    if (k == null) {
      return null;
    }
    List<TokenLogprob> tokens = new ArrayList<>();
    List<List<TokenLogprob>> tops = new ArrayList<>();
    int[] prompt = request.promptTokens();
    for (int i = 1; i < prompt.length; i++) {
      tokens.add(new TokenLogprob(prompt[i], String.valueOf((char) prompt[i]), -i / 10.0));
      List<TokenLogprob> alts = new ArrayList<>();
      for (int a = 0; a < k; a++) {
        alts.add(new TokenLogprob('A' + a, String.valueOf((char) ('A' + a)), -1.0 - a));
      }
      tops.add(alts);
    }
    return new PromptLogprobs(tokens, tops);
  }

  private void emit(Running r, int token, String piece, String delta, Finish end) {
    FinishReason finish = end.reason();
    Integer k = r.request.params().logprobs();
    List<TokenLogprob> lps = new ArrayList<>();
    List<List<TokenLogprob>> tops = new ArrayList<>();
    if (k != null) {
      lps.add(new TokenLogprob(token, piece, -0.25));
      List<TokenLogprob> alts = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        int alt = 'A' + i;
        alts.add(new TokenLogprob(alt, String.valueOf((char) alt), -1.0 - i));
      }
      tops.add(alts);
    }
    if (finish != null) {
      r.finished = true;
      running.remove(r.request.requestId());
    }
    r.listener.accept(
        new RequestOutput(
            r.request.requestId(),
            new int[] {token},
            delta,
            lps,
            tops,
            finish,
            end.stopReason(),
            r.generated == 1 ? promptLogprobs(r.request) : null,
            r.request.promptTokens().length,
            r.generated,
            end.error()));
  }

  @Override
  public void abort(String requestId) {
    aborted.add(requestId);
    thread.execute(
        () -> {
          Running r = running.remove(requestId);
          if (r != null && !r.finished) {
            r.finished = true;
            r.listener.accept(
                new RequestOutput(
                    requestId,
                    new int[0],
                    "",
                    List.of(),
                    List.of(),
                    FinishReason.ABORT,
                    null,
                    null,
                    r.request.promptTokens().length,
                    r.generated,
                    null));
          }
        });
  }

  @Override
  public boolean isRunning() {
    return accepting;
  }

  @Override
  public int numRunning() {
    return running.size();
  }

  @Override
  public int numWaiting() {
    return 0;
  }

  @Override
  public int maxModelLen() {
    return maxModelLen;
  }

  @Override
  public void drain(long timeoutMillis) {
    accepting = false;
  }

  @Override
  public void close() {
    accepting = false;
    thread.shutdownNow();
  }

  private static final class Running {
    final GenerationRequest request;
    final Consumer<RequestOutput> listener;
    final long base;
    final String prompt;
    final StringBuilder text = new StringBuilder();
    int emitted;
    int generated;
    boolean finished;

    Running(GenerationRequest request, Consumer<RequestOutput> listener) {
      this.request = request;
      this.listener = listener;
      long sum = 0;
      for (int id : request.promptTokens()) {
        sum += id;
      }
      Long seed = request.params().seed();
      this.base = sum + (seed == null ? 0 : seed);
      this.prompt = new ByteTokenizer().decode(request.promptTokens(), true);
    }
  }
}
