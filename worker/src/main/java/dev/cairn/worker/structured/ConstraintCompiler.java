package dev.cairn.worker.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.worker.structured.grammar.Expr;
import dev.cairn.worker.structured.grammar.Grammar;
import dev.cairn.worker.structured.grammar.GrammarBuilder;
import dev.cairn.worker.structured.regex.CharEncoding;
import dev.cairn.worker.structured.regex.Regexes;
import dev.cairn.worker.structured.schema.JsonTerminals;
import dev.cairn.worker.structured.schema.SchemaCompiler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Compiles request constraints (json_object, json_schema / guided_json, guided_regex,
 * guided_choice) into {@link CompiledConstraint}s, once per canonical form: identical schemas
 * written with keys in a different order share one grammar and its mask cache. Thread-safe.
 */
public final class ConstraintCompiler {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final Map<String, CompiledConstraint> cache;
  private final LongConsumer compileNanos;
  private final LongConsumer maskNanos;

  /**
   * @param capacity how many compiled constraints to keep (least recently used go first)
   */
  public ConstraintCompiler(int capacity) {
    this(capacity, nanos -> {}, nanos -> {});
  }

  /**
   * @param capacity how many compiled constraints to keep (least recently used go first)
   * @param compileNanos told how long each compile took (cache hits are not compiles)
   * @param maskNanos told how long each token mask took that a compiled constraint's mask cache did
   *     not hold (it is computed where the sampler asks for it, on the engine's step)
   */
  public ConstraintCompiler(int capacity, LongConsumer compileNanos, LongConsumer maskNanos) {
    this.compileNanos = compileNanos;
    this.maskNanos = maskNanos;
    this.cache =
        Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, CompiledConstraint> eldest) {
                return size() > capacity;
              }
            });
  }

  /** Any single JSON object ({@code response_format: json_object}). */
  public CompiledConstraint jsonObject() {
    return cached(
        "json_object",
        () -> {
          GrammarBuilder g = new GrammarBuilder();
          JsonTerminals json = new JsonTerminals(g);
          return g.build(g.rule("root", json.anyObject()));
        });
  }

  /**
   * JSON validating against {@code schema}; throws {@link ConstraintException} naming what is
   * refused.
   */
  public CompiledConstraint jsonSchema(JsonNode schema) {
    return cached(
        "json_schema:" + canonical(schema),
        () -> {
          GrammarBuilder g = new GrammarBuilder();
          SchemaCompiler compiler = new SchemaCompiler(g, new JsonTerminals(g), schema);
          return g.build(compiler.ruleFor(schema, ""));
        });
  }

  /** Text fully matching {@code regex} (guided_regex). */
  public CompiledConstraint regex(String regex) {
    return cached(
        "regex:" + regex,
        () -> {
          GrammarBuilder g = new GrammarBuilder();
          Expr body =
              new Expr.Dfa(Regexes.compile(regex, CharEncoding.RAW, false, "guided_regex", ""));
          return g.build(g.rule("root", body));
        });
  }

  /** Exactly one of the given strings (guided_choice). */
  public CompiledConstraint choice(List<String> choices) {
    if (choices.isEmpty()) {
      throw new ConstraintException("guided_choice", "", "at least one choice is required");
    }
    return cached(
        "choice:" + canonical(CANONICAL.valueToTree(choices)),
        () -> {
          GrammarBuilder g = new GrammarBuilder();
          List<Expr> alternatives = new ArrayList<>();
          choices.forEach(
              c ->
                  alternatives.add(
                      new Expr.Bytes(c.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
          return g.build(g.rule("root", Expr.alt(alternatives)));
        });
  }

  /**
   * A grammar built by the caller (e.g. a tool-call wrapper around schema rules from {@link
   * SchemaCompiler#ruleFor}), cached under the caller's canonical {@code key}.
   */
  public CompiledConstraint custom(String key, Supplier<Grammar> build) {
    return cached("custom:" + key, build);
  }

  /** The schema with object keys sorted, as compact JSON: the cache key of {@link #jsonSchema}. */
  public static String canonical(JsonNode node) {
    try {
      return CANONICAL.writeValueAsString(CANONICAL.treeToValue(node, Object.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private CompiledConstraint cached(String key, Supplier<Grammar> build) {
    CompiledConstraint c = cache.get(key);
    if (c == null) {
      long start = System.nanoTime();
      c = new CompiledConstraint(key, build.get(), maskNanos);
      compileNanos.accept(System.nanoTime() - start);
      cache.put(key, c);
    }
    return c;
  }
}
