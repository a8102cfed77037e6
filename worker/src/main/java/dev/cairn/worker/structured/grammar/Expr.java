package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.regex.ByteDfa;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The right-hand side of a grammar rule, over bytes; {@link GrammarBuilder} compiles it. */
public sealed interface Expr {

  /** Exactly these bytes. */
  record Bytes(byte[] bytes) implements Expr {}

  /** A byte string the DFA accepts (a terminal: strings, numbers, whitespace). */
  record Dfa(ByteDfa dfa) implements Expr {}

  /** The rule with this id (declared with {@link GrammarBuilder#declare}); may recurse. */
  record Call(int rule) implements Expr {}

  record Seq(List<Expr> parts) implements Expr {}

  record Alt(List<Expr> alternatives) implements Expr {}

  /** {@code body} min..max times; max -1 is unbounded. */
  record Repeat(Expr body, int min, int max) implements Expr {}

  /**
   * {@code unit} min..max times (max -1: unbounded), counted as the output goes rather than
   * unrolled into states: a string of up to 5,000 characters is one character's automaton, an array
   * of up to 5,000 items one item's. It becomes a rule of its own. The unit must consume at least
   * one byte ({@link GrammarBuilder#build} checks).
   */
  record Counted(Expr unit, int min, int max) implements Expr {
    public Counted {
      if (min < 0 || (max >= 0 && max < min)) {
        throw new IllegalArgumentException("counted " + min + ".." + max + ": min <= max");
      }
    }
  }

  static Expr text(String s) {
    return new Bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  static Expr seq(Expr... parts) {
    return new Seq(List.of(parts));
  }

  static Expr alt(List<Expr> alternatives) {
    return alternatives.size() == 1 ? alternatives.get(0) : new Alt(alternatives);
  }

  static Expr optional(Expr e) {
    return new Repeat(e, 0, 1);
  }
}
