package dev.cairn.worker.server;

import dev.cairn.api.MetricNames;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.structured.CompiledConstraint;
import dev.cairn.worker.structured.ConstraintCompiler;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.ToolCallGrammar;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structured output for one served model: compiles a request's {@link StructuredSpec} (cached by
 * canonical form, so a repeated schema costs a map lookup) and attaches a fresh matcher per choice
 * to its sampling parameters. Compiling runs on the request's worker thread, never on the engine's.
 * Counts requests by type and times compiles and token masks.
 */
public final class StructuredOutputs {

  /** Compiled constraints kept per model. */
  static final int CACHE_CAPACITY = 256;

  /** The requests metric's type for constrained tool calls (one of STRUCTURED_OUTPUT_TYPES). */
  static final String TOOL_CALL_TYPE = "tool_call";

  private final TokenVocabulary vocab;
  private final int[] eosIds;
  private final ConstraintCompiler compiler;
  private final Map<String, Counter> requests = new HashMap<>();

  /**
   * @param vocab the model's vocabulary as bytes
   * @param eosIds the tokens that end generation, allowed exactly where the output is complete
   * @param registry where the structured-output metrics go
   * @param modelId the {@code model_name} label
   */
  public StructuredOutputs(
      TokenVocabulary vocab, Set<Integer> eosIds, MeterRegistry registry, String modelId) {
    this.vocab = vocab;
    this.eosIds = eosIds.stream().mapToInt(Integer::intValue).toArray();
    Timer compile =
        Timer.builder(MetricNames.STRUCTURED_OUTPUT_COMPILE)
            .description("Time to compile a schema, regex or choice list into a constraint")
            .tag(MetricNames.LABEL_MODEL_NAME, modelId)
            .serviceLevelObjectives(sloBuckets())
            .register(registry);
    Timer mask =
        Timer.builder(MetricNames.STRUCTURED_OUTPUT_MASK)
            .description(
                "Time to compute a token mask the constraint's cache did not hold; the engine's"
                    + " step waits for it")
            .tag(MetricNames.LABEL_MODEL_NAME, modelId)
            .serviceLevelObjectives(sloBuckets())
            .register(registry);
    this.compiler =
        new ConstraintCompiler(
            CACHE_CAPACITY,
            nanos -> compile.record(Duration.ofNanos(nanos)),
            nanos -> mask.record(Duration.ofNanos(nanos)));
    for (String type : MetricNames.STRUCTURED_OUTPUT_TYPES) {
      requests.put(
          type,
          Counter.builder(MetricNames.STRUCTURED_OUTPUT_REQUESTS)
              .description("Requests with structured output, by type")
              .tags(MetricNames.LABEL_MODEL_NAME, modelId, MetricNames.LABEL_TYPE, type)
              .register(registry));
    }
  }

  /**
   * {@code sampling} constrained to {@code spec} (unchanged when spec is null); a schema or regex
   * that cannot be compiled is a 400 naming the field, the keyword and its path.
   */
  SamplingParams constrain(StructuredSpec spec, SamplingParams sampling) {
    if (spec == null) {
      return sampling;
    }
    if (sampling.ignoreEos()) {
      throw ApiException.badRequest(
          "ignore_eos", "ignore_eos cannot be combined with " + spec.param());
    }
    CompiledConstraint compiled = compile(spec);
    requests.get(spec.kind().label()).increment();
    return sampling.withConstraint(() -> compiled.newMatcher(vocab, eosIds));
  }

  /**
   * {@code sampling} constrained to the call(s) of the forced function(s) of {@code tools}; a
   * parameters schema that cannot be compiled is a 400 naming its tool.
   */
  SamplingParams constrainTools(ToolSpec tools, SamplingParams sampling) {
    if (sampling.ignoreEos()) {
      throw ApiException.badRequest("ignore_eos", "ignore_eos cannot be combined with tool_choice");
    }
    CompiledConstraint compiled;
    try {
      compiled = ToolCallGrammar.compile(compiler, tools.forcedFunctions(), tools.severalCalls());
    } catch (ToolCallGrammar.ToolSchemaException e) {
      String name = List.copyOf(tools.forcedFunctions().keySet()).get(e.tool());
      int index = List.copyOf(tools.functions().keySet()).indexOf(name);
      String field = "tools[" + index + "].function.parameters";
      throw ApiException.badRequest(
          field, "Invalid JSON Schema in " + field + ": " + e.getMessage());
    }
    requests.get(TOOL_CALL_TYPE).increment();
    return sampling.withConstraint(() -> compiled.newMatcher(vocab, eosIds));
  }

  private CompiledConstraint compile(StructuredSpec spec) {
    try {
      return switch (spec.kind()) {
        case JSON_OBJECT -> compiler.jsonObject();
        case JSON_SCHEMA -> compiler.jsonSchema(spec.value());
        case REGEX -> compiler.regex(spec.value().asText());
        case CHOICE -> {
          List<String> choices = new ArrayList<>();
          spec.value().forEach(c -> choices.add(c.asText()));
          yield compiler.choice(choices);
        }
      };
    } catch (ConstraintException e) {
      throw ApiException.badRequest(spec.param(), "Invalid " + what(spec) + ": " + e.getMessage());
    }
  }

  private static String what(StructuredSpec spec) {
    return switch (spec.kind()) {
      case JSON_OBJECT, JSON_SCHEMA -> "JSON Schema in " + spec.param();
      case REGEX -> "regular expression in " + spec.param();
      case CHOICE -> "choice list in " + spec.param();
    };
  }

  /** Compile-time buckets from 1 ms to 10 s. */
  private static Duration[] sloBuckets() {
    double[] seconds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return out;
  }
}
