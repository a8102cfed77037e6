package dev.cairn.worker.engine;

import dev.cairn.worker.engine.output.OutputTracker;
import dev.cairn.worker.engine.sampling.PromptLogprobsCollector;
import dev.cairn.worker.engine.sampling.SamplingState;
import dev.cairn.worker.engine.scheduler.EngineRequest;
import java.util.function.Consumer;

/** A request the engine core is serving: scheduler state, sampler state, output and timings. */
final class ActiveRequest {

  final EngineRequest state;
  final Consumer<RequestOutput> listener;
  final OutputTracker output;
  final SamplingState sampling;
  // Null unless the request asked for its prompt's logprobs.
  final PromptLogprobsCollector promptLogprobs;
  // Timestamps (System.nanoTime scale) for the metrics; 0 = not yet, unset when metrics are off.
  long firstScheduledNanos;
  long firstTokenNanos;
  long lastTokenNanos;

  ActiveRequest(
      EngineRequest state,
      Consumer<RequestOutput> listener,
      OutputTracker output,
      SamplingState sampling,
      PromptLogprobsCollector promptLogprobs) {
    this.state = state;
    this.listener = listener;
    this.output = output;
    this.sampling = sampling;
    this.promptLogprobs = promptLogprobs;
  }

  String id() {
    return state.id();
  }
}
