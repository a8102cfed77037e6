package dev.cairn.worker.structured.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.structured.regex.ByteDfa;
import dev.cairn.worker.structured.regex.CharEncoding;
import dev.cairn.worker.structured.regex.CharSet;
import dev.cairn.worker.structured.regex.RegexNode;
import dev.cairn.worker.structured.regex.Regexes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A JSON string's length counted at run time ({@link Expr.Counted}) matches, and allows token by
 * token, exactly what the unrolled automaton of {@code .{min,max}} does; masks keyed on clamped
 * counters equal the masks of the real state; and a bound of 100,000 characters is one character's
 * automaton.
 */
class CountedRepeatTest {

  private static final ByteDfa ONE_CHAR =
      Regexes.of(new RegexNode.Chars(CharSet.ANY), CharEncoding.JSON_STRING, "maxLength", "");

  private static Grammar counted(int min, int max) {
    GrammarBuilder g = new GrammarBuilder();
    int root =
        g.rule(
            "string",
            Expr.seq(
                Expr.text("\""),
                new Expr.Counted(new Expr.Dfa(ONE_CHAR), min, max),
                Expr.text("\"")));
    return g.build(root);
  }

  private static Grammar unrolled(int min, int max) {
    GrammarBuilder g = new GrammarBuilder();
    RegexNode length = new RegexNode.Repeat(new RegexNode.Chars(CharSet.ANY), min, max);
    ByteDfa dfa = Regexes.of(length, CharEncoding.JSON_STRING, "maxLength", "");
    int root = g.rule("string", Expr.seq(Expr.text("\""), new Expr.Dfa(dfa), Expr.text("\"")));
    return g.build(root);
  }

  private static final int[][] BOUNDS = {{0, 0}, {0, 3}, {2, 5}, {1, -1}, {3, 3}, {0, -1}};

  @Test
  void matchesWhatTheUnrolledAutomatonMatches() {
    List<String> bodies =
        List.of(
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdef",
            "é",
            "éé€",
            "a\\\"b",
            "\\n\\t",
            "\\u00e9xy",
            "\\u00e",
            "\\q",
            "a\"b",
            "tab\there",
            "🎉🎉",
            "x".repeat(40));
    for (int[] b : BOUNDS) {
      Grammar c = counted(b[0], b[1]);
      Grammar u = unrolled(b[0], b[1]);
      for (String body : bodies) {
        byte[] bytes = ("\"" + body + "\"").getBytes(StandardCharsets.UTF_8);
        assertThat(c.matches(bytes)).as("{%d,%d} %s", b[0], b[1], body).isEqualTo(u.matches(bytes));
      }
    }
    assertThat(counted(2, 5).matches("\"é€\"".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(counted(2, 5).matches("\"é\"".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(counted(0, 3).matches("\"\\n\\n\\n\"".getBytes(StandardCharsets.UTF_8))).isTrue();
  }

  /**
   * Random walks over the tiny model's vocabulary: each step's mask and completeness are those of
   * the unrolled automaton, and the mask of the state clamped to the longest token plus one (the
   * mask cache's key) is the mask of the state itself. Bounds past that length put the clamp to
   * work.
   */
  @Test
  void everyStepAllowsWhatTheUnrolledAutomatonAllows() {
    int clamp = MaskWalks.VOCAB.maxTokenBytes() + 1;
    Random random = new Random(3);
    int clampedSteps = 0;
    for (int[] b : new int[][] {{2, 7}, {0, 12}, {clamp + 5, 2 * clamp + 9}, {1, -1}}) {
      clampedSteps +=
          MaskWalks.compare(counted(b[0], b[1]), unrolled(b[0], b[1]), random, 25, 80, clamp)[1];
    }
    assertThat(clampedSteps).isGreaterThan(50);
  }

  @Test
  void aBoundOfAHundredThousandCharactersIsOneCharactersAutomaton() {
    Grammar g = counted(10, 100_000);
    int states = 0;
    for (RuleAutomaton r : g.rules) {
      states += r.size();
    }
    assertThat(states).isLessThan(40);
    String five = "\"" + "éa".repeat(2_500) + "\"";
    assertThat(g.matches(five.getBytes(StandardCharsets.UTF_8))).isTrue();
    String over = "\"" + "a".repeat(100_001) + "\"";
    assertThat(g.matches(over.getBytes(StandardCharsets.UTF_8))).isFalse();
    String full = "\"" + "a".repeat(100_000) + "\"";
    assertThat(g.matches(full.getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(g.matches("\"123456789\"".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  /** {@code [item(, item){min,max}]} with items called from the unit, counted or unrolled. */
  private static Grammar list(int min, int max, boolean count) {
    GrammarBuilder g = new GrammarBuilder();
    int item =
        g.rule(
            "item",
            Expr.alt(
                List.of(
                    Expr.text("true"),
                    new Expr.Dfa(
                        Regexes.compile("-?[0-9]{1,3}", CharEncoding.RAW, false, "p", "")))));
    Expr more = Expr.seq(Expr.text(", "), new Expr.Call(item));
    Expr rest = count ? new Expr.Counted(more, min, max) : new Expr.Repeat(more, min, max);
    return g.build(
        g.rule("list", Expr.seq(Expr.text("["), new Expr.Call(item), rest, Expr.text("]"))));
  }

  /**
   * A unit that calls another rule goes through the general matcher: its frames below the called
   * rule carry the counters, and the clamp reaches them there too.
   */
  @Test
  void aUnitThatCallsARuleCountsThroughTheCall() {
    int clamp = MaskWalks.VOCAB.maxTokenBytes() + 1;
    Random random = new Random(8);
    int clampedSteps = 0;
    for (int[] b : new int[][] {{0, 3}, {2, 6}, {clamp, clamp + 30}, {1, -1}}) {
      Grammar c = list(b[0], b[1], true);
      Grammar u = list(b[0], b[1], false);
      for (String s :
          List.of("[1]", "[1, 2]", "[1, 2, 3]", "[1, 2, 3, 4]", "[true, -5, 7, 8, 9]")) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        assertThat(c.matches(bytes)).as("{%d,%d} %s", b[0], b[1], s).isEqualTo(u.matches(bytes));
      }
      clampedSteps += MaskWalks.compare(c, u, random, 20, 120, clamp)[1];
    }
    assertThat(clampedSteps).isGreaterThan(50);
  }

  @Test
  void aUnitThatCanBeEmptyIsRefusedWhenBuilt() {
    GrammarBuilder g = new GrammarBuilder();
    int root = g.rule("r", new Expr.Counted(Expr.optional(Expr.text("a")), 0, 5));
    assertThatThrownBy(() -> g.build(root)).hasMessageContaining("empty unit");
  }
}
