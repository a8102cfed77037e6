package dev.cairn.worker.server;

import dev.cairn.worker.engine.EngineOverloadedException;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.RequestGroup;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.TokenLogprob;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.AdapterLoadException;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP generation request in flight: submits its n engine requests, gathers their outputs on
 * the request's Vert.x context (engine listeners run on the engine thread and must not block), and
 * answers as one JSON document or as a server-sent event stream. A client that goes away aborts
 * every engine request, which frees their KV blocks.
 */
final class GenerationJob {
  /**
   * Retry-After on a 503 for overload: a decode step takes tens of milliseconds, so within a second
   * requests finish and slots free up; the OpenAI clients wait this long instead of their backoff.
   */
  static final int OVERLOAD_RETRY_AFTER_SECONDS = 1;

  private final PreparedRequest prep;
  private final ServedModel model;
  private final RoutingContext ctx;
  private final Context context;
  private final ServiceMetrics.Tracker tracker;
  private final String id;
  private final long arrivalNanos;
  private final ResponseFormat format;
  private final List<ChoiceState> choices = new ArrayList<>();
  private final List<String> submitted = new ArrayList<>();
  private final SseWriter sse;
  private final AdapterLease adapter;
  private boolean done;

  GenerationJob(
      PreparedRequest prep,
      ServedModel model,
      RoutingContext ctx,
      ServiceMetrics.Tracker tracker,
      String id,
      long arrivalNanos,
      long createdEpochSeconds,
      AdapterLease adapter) {
    this.prep = prep;
    this.model = model;
    this.ctx = ctx;
    this.context = ctx.vertx().getOrCreateContext();
    this.tracker = tracker;
    this.id = id;
    this.arrivalNanos = arrivalNanos;
    this.adapter = adapter;
    this.format =
        ResponseFormat.of(
            prep.request().endpoint(),
            id,
            createdEpochSeconds,
            adapter == null ? model.id() : adapter.name());
    this.sse = prep.request().stream() ? new SseWriter(ctx.response()) : null;
    int n = prep.request().n();
    for (int p = 0; p < prep.prompts().size(); p++) {
      for (int i = 0; i < n; i++) {
        ChoiceState choice = new ChoiceState(p * n + i, p);
        if (prep.request().echo()) {
          echo(choice, p);
        }
        choice.tools = ToolCallReaders.forChoice(prep.request().tools(), model.chatTemplate());
        choices.add(choice);
      }
    }
  }

  /** As vLLM: the echoed text is the prompt as sent, or its decoding when sent as token ids. */
  private void echo(ChoiceState choice, int prompt) {
    OpenAiRequest.Prompt sent = prep.request().prompts().get(prompt);
    int[] tokens = prep.prompts().get(prompt);
    choice.echoText = sent.text() != null ? sent.text() : model.tokenizer().decode(tokens, false);
    int first = tokens[0];
    choice.echoFirstToken =
        new TokenLogprob(first, model.tokenizer().decode(new int[] {first}, false), Double.NaN);
  }

  /** Submits the choices to the engine; call on the request's context. */
  void start() {
    int n = prep.request().n();
    RequestGroup[] groups = new RequestGroup[prep.prompts().size()];
    try {
      for (ChoiceState c : choices) {
        String requestId = id + "-" + c.index;
        int p = c.promptIndex;
        var params = prep.request().sampling().forChoice(c.index % n, prep.maxTokens()[p]);
        if (groups[p] == null) {
          groups[p] = new RequestGroup(n, prep.request().requestedMaxTokens());
        }
        final int index = c.index;
        AdapterLease lease =
            adapter == null ? null : model.adapters().acquireLoaded(adapter.name());
        try {
          model
              .engine()
              .submit(
                  new GenerationRequest(
                      requestId, prep.prompts().get(p), params, arrivalNanos, lease, groups[p]),
                  out -> context.runOnContext(v -> onOutput(index, out)));
        } catch (RuntimeException e) {
          if (lease != null) {
            lease.close(); // the engine did not take it
          }
          throw e;
        }
        submitted.add(requestId);
      }
    } catch (AdapterLoadException e) {
      fail(AdapterRouting.toApi(e, adapter.name(), "model"));
      return;
    } catch (EngineOverloadedException e) {
      tracker.rejected(ServiceMetrics.REJECTED_QUEUE_FULL);
      fail(ApiException.overloaded(e.getMessage(), OVERLOAD_RETRY_AFTER_SECONDS));
      return;
    } catch (IllegalArgumentException e) {
      fail(ApiException.badRequest(null, e.getMessage()));
      return;
    } catch (IllegalStateException e) {
      fail(ApiException.unavailable("The engine is not accepting requests: " + e.getMessage()));
      return;
    }
    if (sse != null) {
      sse.open();
      for (ChoiceState c : choices) {
        var opening = format.openingChoice(c);
        if (opening != null) {
          sse.send(format.chunk(opening));
        }
      }
    }
  }

  /** The client closed the connection: abort everything still running. */
  void clientGone() {
    if (done) {
      return;
    }
    done = true;
    abortAll();
    recordTokens();
    tracker.finish(ServiceMetrics.CLIENT_CLOSED);
  }

  private void onOutput(int index, RequestOutput out) {
    if (done) {
      return;
    }
    ChoiceState choice = choices.get(index);
    choice.add(out);
    if (out.finishReason() == FinishReason.ERROR) {
      fail(new ApiException(500, "server_error", null, "Generation failed: " + out.error()));
      return;
    }
    if (out.timedOut()) {
      fail(ApiException.deadlineExceeded("The request was aborted: " + out.error()));
      return;
    }
    if (out.finishReason() == FinishReason.ABORT) {
      fail(ApiException.unavailable("The request was aborted: the server is shutting down"));
      return;
    }
    boolean withLogprobs = prep.request().sampling().logprobs() != null;
    if (sse != null) {
      for (var delta : format.deltaChoices(choice, out, withLogprobs)) {
        sse.send(format.chunk(delta));
      }
    }
    if (choices.stream().allMatch(ChoiceState::finished)) {
      complete(withLogprobs);
    }
  }

  private void complete(boolean withLogprobs) {
    done = true;
    // Recorded before the response ends: ending it fires the route's end handler, which would
    // otherwise record the status first.
    recordTokens();
    tracker.finish(200);
    int promptTokens = prep.totalPromptTokens();
    if (sse != null) {
      if (prep.request().includeUsage()) {
        sse.send(format.usageChunk(promptTokens, choices));
      }
      sse.done();
    } else {
      ctx.response()
          .setStatusCode(200)
          .putHeader("Content-Type", "application/json")
          .end(format.response(choices, withLogprobs, promptTokens).toString());
    }
  }

  /** Ends the request with an error: a JSON error, or one error event then [DONE] mid-stream. */
  private void fail(ApiException e) {
    done = true;
    abortAll();
    recordTokens();
    tracker.finish(e.status());
    if (sse != null && ctx.response().headWritten()) {
      sse.send(ApiErrors.body(e));
      sse.done();
    } else {
      ApiErrors.send(ctx, e);
    }
  }

  private void abortAll() {
    for (int i = 0; i < submitted.size(); i++) {
      if (!choices.get(i).finished()) {
        model.engine().abort(submitted.get(i));
      }
    }
  }

  private void recordTokens() {
    if (!submitted.isEmpty()) {
      tracker.tokens(
          prep.totalPromptTokens(), choices.stream().mapToInt(c -> c.generatedTokens).sum());
    }
  }
}
