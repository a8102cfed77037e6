package dev.cairn.worker.structured.regex;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RegexesTest {

  private static final List<String> PATTERNS =
      List.of(
          "a*b",
          "(ab|a)+c?",
          "[a-c]{2,3}",
          "x{0,2}y{1,}",
          "[^ab]+",
          "\\d+\\.\\d{1,2}",
          "(?:a|bc)*?",
          "\\w\\s\\W",
          "[\\d_-]+",
          "a.c",
          "é+ü?",
          "[à-ÿ]{1,2}z",
          "\\u00e9|\\x41",
          "(a(b(c)?)?)?",
          "[\\]\\[]+",
          "ab|cd|",
          "a{3}");
  private static final String ALPHABET = "abcxyz019_.- \téüÿA[]";

  @Test
  void fullMatchAgreesWithJavaRegexOnGeneratedStrings() {
    Random random = new Random(7);
    for (String p : PATTERNS) {
      ByteDfa dfa = Regexes.compile(p, CharEncoding.RAW, false, "guided_regex", "");
      Pattern java = Pattern.compile(p);
      for (int i = 0; i < 2000; i++) {
        String s = randomString(random);
        assertThat(dfa.matches(s.getBytes(StandardCharsets.UTF_8)))
            .as("/%s/ on '%s'", p, s)
            .isEqualTo(java.matcher(s).matches());
      }
    }
  }

  @Test
  void searchSemanticsAgreeWithFind() {
    Random random = new Random(11);
    for (String p : List.of("ab", "^ab", "b$", "^a.c$", "\\d{2}", "^x|y$")) {
      ByteDfa dfa = Regexes.compile(p, CharEncoding.RAW, true, "pattern", "");
      Pattern java = Pattern.compile(p);
      for (int i = 0; i < 2000; i++) {
        String s = randomString(random);
        assertThat(dfa.matches(s.getBytes(StandardCharsets.UTF_8)))
            .as("/%s/ in '%s'", p, s)
            .isEqualTo(java.matcher(s).find());
      }
    }
  }

  @Test
  void jsonStringEncodingMatchesTheEscapedSpelling() {
    ByteDfa dfa = Regexes.compile("^a\"\\\\\\n$", CharEncoding.JSON_STRING, true, "pattern", "");
    assertThat(dfa.matches("a\\\"\\\\\\n".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(dfa.matches("a\"\\\n".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  private static String randomString(Random random) {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(7);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
