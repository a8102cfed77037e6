package dev.cairn.worker.structured.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.structured.regex.CharEncoding;
import dev.cairn.worker.structured.regex.Regexes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Determinized rules ({@link RuleDeterminizer}) match what the Thompson automata match, token by
 * token over a real vocabulary, and make a bounded string's positions plain byte states.
 */
class RuleDeterminizerTest {

  private static Expr regex(String pattern, CharEncoding encoding) {
    return new Expr.Dfa(Regexes.compile(pattern, encoding, false, "pattern", ""));
  }

  /**
   * Literals, alternatives, bounded and unbounded repeats, calls and recursion: an item is a
   * literal, a number or a short string; a value is an item, a list of up to four, or an object
   * holding a value; the root is a value and trailing spaces.
   */
  private static Grammar mixed(boolean determinize) {
    GrammarBuilder g = new GrammarBuilder();
    int item =
        g.rule(
            "item",
            Expr.alt(
                List.of(
                    Expr.text("true"),
                    Expr.text("false"),
                    regex("-?[0-9]{1,5}", CharEncoding.RAW),
                    Expr.seq(
                        Expr.text("\""),
                        regex(".{0,8}", CharEncoding.JSON_STRING),
                        Expr.text("\"")),
                    Expr.seq(Expr.text("the "), regex("[a-z ]{2,30}", CharEncoding.RAW)))));
    int value = g.declare("value");
    int list =
        g.rule(
            "list",
            Expr.seq(
                Expr.text("["),
                Expr.optional(
                    Expr.seq(
                        new Expr.Call(value),
                        new Expr.Repeat(Expr.seq(Expr.text(", "), new Expr.Call(value)), 0, 3))),
                Expr.text("]")));
    g.define(
        value,
        Expr.alt(
            List.of(
                new Expr.Call(item),
                new Expr.Call(list),
                Expr.seq(Expr.text("{\"k\": "), new Expr.Call(value), Expr.text("}")))));
    int root =
        g.rule("root", Expr.seq(new Expr.Call(value), new Expr.Repeat(Expr.text(" "), 0, -1)));
    return g.build(root, determinize);
  }

  @Test
  void everyStepOfRandomWalksAllowsTheSameTokens() {
    Grammar dfa = mixed(true);
    Grammar thompson = mixed(false);
    assertThat(Arrays.stream(dfa.rules).allMatch(r -> isEpsilonFree(r))).isTrue();
    assertThat(Arrays.stream(thompson.rules).anyMatch(r -> !isEpsilonFree(r))).isTrue();
    int[] steps = MaskWalks.compare(dfa, thompson, new Random(11), 60, 40, 0);
    assertThat(steps[0]).isGreaterThan(500);
  }

  @Test
  void bothMatchTheSameSentences() {
    Grammar dfa = mixed(true);
    Grammar thompson = mixed(false);
    for (String s :
        List.of(
            "true",
            "[true, -12, \"a\\\"b\"]  ",
            "{\"k\": [[], {\"k\": 5}]}",
            "the quick brown fox",
            "[1, 2, 3, 4]",
            "[1, 2, 3, 4, 5]",
            "\"123456789\"",
            "the q",
            "-",
            "{\"k\": }",
            "")) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      assertThat(dfa.matches(bytes)).as(s).isEqualTo(thompson.matches(bytes));
    }
    assertThat(dfa.matches("[1, 2, 3, 4]".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(dfa.matches("[1, 2, 3, 4, 5]".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  /**
   * Inside a string of at most 40 characters, each position is one stack whose top the mask walk
   * steps through by table lookup; compiled by Thompson's construction, each was an accepting
   * position with an epsilon to the closing quote, which the walk could only take by closures.
   */
  @Test
  void aBoundedStringIsOneSimpleStatePerPosition() {
    GrammarBuilder g = new GrammarBuilder();
    int root =
        g.rule(
            "name",
            Expr.seq(Expr.text("\""), regex(".{1,40}", CharEncoding.JSON_STRING), Expr.text("\"")));
    Grammar dfa = g.build(root, true);
    Grammar thompson = g.build(root, false);
    StackSet a = dfa.initial();
    StackSet b = thompson.initial();
    for (byte c : "\"Ada Lovelace".getBytes(StandardCharsets.UTF_8)) {
      a = dfa.advance(a, c);
      b = thompson.advance(b, c);
      assertThat(a.size()).isEqualTo(1);
      Frame top = a.leaves[0];
      assertThat(dfa.rules[top.rule].simple[top.state]).isTrue();
    }
    assertThat(b.size()).as("Thompson: the character and the closing quote").isEqualTo(2);
    assertThat(MaskWalks.mask(dfa, a)).isEqualTo(MaskWalks.mask(thompson, b));
  }

  /** (a|b)* a (a|b){15}: its deterministic automaton needs 2^16 states, so the rule stays. */
  @Test
  void aRuleWhoseSubsetsWouldExplodeKeepsItsThompsonAutomaton() {
    GrammarBuilder g = new GrammarBuilder();
    Expr ab = Expr.alt(List.of(Expr.text("a"), Expr.text("b")));
    int root =
        g.rule(
            "tail",
            Expr.seq(new Expr.Repeat(ab, 0, -1), Expr.text("a"), new Expr.Repeat(ab, 15, 15)));
    Grammar grammar = g.build(root, true);
    assertThat(isEpsilonFree(grammar.rules[root])).isFalse();
    String yes = "bba" + "ab".repeat(7) + "b";
    String no = "bbb" + "ab".repeat(7) + "b";
    assertThat(grammar.matches(yes.getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(grammar.matches(no.getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  private static boolean isEpsilonFree(RuleAutomaton r) {
    return Arrays.stream(r.epsilons).allMatch(e -> e.length == 0);
  }
}
