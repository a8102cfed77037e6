package dev.cairn.worker.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cairn.worker.structured.grammar.Expr;
import dev.cairn.worker.structured.grammar.Grammar;
import dev.cairn.worker.structured.grammar.GrammarBuilder;
import dev.cairn.worker.structured.schema.JsonTerminals;
import dev.cairn.worker.structured.schema.SchemaCompiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The grammar of forced tool calls ({@code tool_choice: "required"} or a named function): one call
 * {@code {"name": "NAME", "arguments": ARGS}}, where NAME is one of the offered functions and ARGS
 * validates against that function's parameters schema, or, where several calls are allowed
 * (required with parallel tool calls, OpenAI's default), a list {@code [CALL, CALL, ...]} of one or
 * more. The layout is fixed, so that a streaming reader can find each name and each argument's
 * bytes by prefix and nesting alone.
 */
public final class ToolCallGrammar {

  private ToolCallGrammar() {}

  /** The text before a call's arguments; function names never need JSON escaping. */
  public static String prefix(String name) {
    return "{\"name\": \"" + name + "\", \"arguments\": ";
  }

  /** The text after a call's arguments. */
  public static final String SUFFIX = "}";

  /** Around and between calls where several are allowed. */
  public static final String OPEN = "[";

  public static final String SEPARATOR = ", ";
  public static final String CLOSE = "]";

  /**
   * Compiles (through {@code compiler}'s cache) the constraint for a call of any of {@code
   * functions}, name to parameters schema, in the order offered; {@code several}: a list of one or
   * more such calls.
   *
   * @throws ToolSchemaException when a parameters schema cannot be compiled
   */
  public static CompiledConstraint compile(
      ConstraintCompiler compiler, Map<String, JsonNode> functions, boolean several) {
    ArrayNode key = JsonNodeFactory.instance.arrayNode();
    functions.forEach((name, params) -> key.add(name).add(params));
    return compiler.custom(
        (several ? "tool_calls:" : "tool_call:") + ConstraintCompiler.canonical(key),
        () -> build(functions, several));
  }

  /** A function's parameters schema that cannot be compiled; {@link #tool()} says which. */
  public static final class ToolSchemaException extends RuntimeException {
    private final int tool;

    ToolSchemaException(int tool, ConstraintException cause) {
      super(cause.getMessage(), cause);
      this.tool = tool;
    }

    /** The index of the tool in the request's {@code tools}. */
    public int tool() {
      return tool;
    }
  }

  private static Grammar build(Map<String, JsonNode> functions, boolean several) {
    GrammarBuilder g = new GrammarBuilder();
    JsonTerminals json = new JsonTerminals(g, false);
    List<Expr> calls = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, JsonNode> f : functions.entrySet()) {
      JsonNode params = f.getValue();
      int args;
      try {
        args = new SchemaCompiler(g, json, params).ruleFor(params, "");
      } catch (ConstraintException e) {
        throw new ToolSchemaException(i, e);
      }
      calls.add(Expr.seq(Expr.text(prefix(f.getKey())), new Expr.Call(args), Expr.text(SUFFIX)));
      i++;
    }
    Expr call = Expr.alt(calls);
    if (!several) {
      return g.build(g.rule("tool_call", call));
    }
    int one = g.rule("tool_call", call);
    Expr more = new Expr.Repeat(Expr.seq(Expr.text(SEPARATOR), new Expr.Call(one)), 0, -1);
    return g.build(
        g.rule(
            "tool_calls", Expr.seq(Expr.text(OPEN), new Expr.Call(one), more, Expr.text(CLOSE))));
  }
}
