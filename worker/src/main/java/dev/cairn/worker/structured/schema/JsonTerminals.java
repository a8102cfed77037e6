package dev.cairn.worker.structured.schema;

import dev.cairn.worker.structured.grammar.Expr;
import dev.cairn.worker.structured.grammar.GrammarBuilder;
import dev.cairn.worker.structured.regex.ByteDfa;
import dev.cairn.worker.structured.regex.CharEncoding;
import dev.cairn.worker.structured.regex.CharSet;
import dev.cairn.worker.structured.regex.RegexNode;
import dev.cairn.worker.structured.regex.Regexes;
import java.util.List;

/**
 * The JSON building blocks shared by every schema grammar, declared once per grammar: bounded
 * whitespace, any string, any number, and any JSON value (recursive, for {@code {}} schemas and
 * json_object).
 */
public final class JsonTerminals {

  /** Whitespace allowed between two JSON tokens: enough for pretty-printing, never a runaway. */
  public static final int MAX_WHITESPACE = 16;

  static final String STRING =
      "\"(?:[^\"\\\\\\x00-\\x1f]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*\"";
  static final String NUMBER = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?";
  static final String INTEGER = "-?(?:0|[1-9][0-9]*)";

  private final GrammarBuilder g;
  private final int ws;
  private final int string;
  private final int value;
  private final int object;
  private Expr oneChar;

  /** Declares the shared rules in {@code g}, with up to {@link #MAX_WHITESPACE} between tokens. */
  public JsonTerminals(GrammarBuilder g) {
    this(g, true);
  }

  /**
   * Declares the shared rules in {@code g}; without {@code whitespace} the JSON is compact
   * (tool-call arguments, as OpenAI writes them, and no room for a small model to wander in
   * newlines).
   */
  public JsonTerminals(GrammarBuilder g, boolean whitespace) {
    this.g = g;
    this.ws =
        g.rule(
            "ws",
            whitespace
                ? dfa("[ \\t\\n\\r]{0," + MAX_WHITESPACE + "}")
                : new Expr.Bytes(new byte[0]));
    this.string = g.rule("string", dfa(STRING));
    int number = g.rule("number", dfa(NUMBER));
    this.value = g.declare("value");
    this.object = g.declare("object");
    int array = g.declare("array");
    Expr member = Expr.seq(call(string), ws(), Expr.text(":"), ws(), call(value), ws());
    g.define(object, container("{", member, "}"));
    g.define(array, container("[", Expr.seq(call(value), ws()), "]"));
    g.define(
        value,
        Expr.alt(
            List.of(
                call(object),
                call(array),
                call(string),
                call(number),
                Expr.text("true"),
                Expr.text("false"),
                Expr.text("null"))));
  }

  /** {@code open ws (close | item (, ws item)* close)} where each item ends with its whitespace. */
  Expr container(String open, Expr item, String close) {
    Expr more = new Expr.Repeat(Expr.seq(Expr.text(","), ws(), item), 0, -1);
    return Expr.seq(
        Expr.text(open),
        ws(),
        Expr.alt(List.of(Expr.text(close), Expr.seq(item, more, Expr.text(close)))));
  }

  public Expr ws() {
    return call(ws);
  }

  public Expr anyString() {
    return call(string);
  }

  /**
   * A string of {@code min} to {@code max} characters (max -1: unbounded), counted as the output
   * goes ({@link Expr.Counted}), so any bound is one character's automaton, built once a grammar.
   */
  Expr stringOfLength(int min, int max) {
    if (oneChar == null) {
      oneChar =
          new Expr.Dfa(
              Regexes.of(
                  new RegexNode.Chars(CharSet.ANY), CharEncoding.JSON_STRING, "maxLength", ""));
    }
    return Expr.seq(Expr.text("\""), new Expr.Counted(oneChar, min, max), Expr.text("\""));
  }

  public Expr anyObject() {
    return call(object);
  }

  public Expr anyValue() {
    return call(value);
  }

  static Expr call(int rule) {
    return new Expr.Call(rule);
  }

  static Expr dfa(String regex) {
    return new Expr.Dfa(compile(regex));
  }

  static ByteDfa compile(String regex) {
    return Regexes.compile(regex, CharEncoding.RAW, false, "grammar", "");
  }
}
