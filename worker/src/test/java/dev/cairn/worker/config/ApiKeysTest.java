package dev.cairn.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final String ORIGIN = "env CAIRN_API_KEY";

  @Test
  void namedLinesWithCommentsAndBlankLines() {
    ApiKeys keys =
        ApiKeys.parse(
            """
            # team keys, rotated monthly
            team-a: sk-aaa

              team_b.prod:sk-bbb:with-colon\r
            """,
            ORIGIN);
    assertThat(keys.entries())
        .containsExactly(
            new ApiKeys.Entry("team-a", "sk-aaa"),
            new ApiKeys.Entry("team_b.prod", "sk-bbb:with-colon"));
    assertThat(keys.names()).containsExactly("team-a", "team_b.prod");
  }

  @Test
  void bareLineIsTheDefaultKeyAsBefore() {
    assertThat(ApiKeys.parse("s3cret\n", ORIGIN).entries())
        .containsExactly(new ApiKeys.Entry(ApiKeys.DEFAULT_NAME, "s3cret"));
  }

  @Test
  void bareLineBesideNamedOnes() {
    assertThat(ApiKeys.parse("k0\nops:k1", ORIGIN).names()).containsExactly("default", "ops");
  }

  @Test
  void duplicateNameIsRefusedWithoutPrintingKeys() {
    assertThatThrownBy(() -> ApiKeys.parse("a:key-one\n\na:key-two", ORIGIN))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "env CAIRN_API_KEY line 3: key name \"a\" is already used on line 1; each name must"
                + " be unique")
        .message()
        .doesNotContain("key-one")
        .doesNotContain("key-two");
  }

  @Test
  void duplicateKeyIsRefusedWithoutPrintingIt() {
    assertThatThrownBy(() -> ApiKeys.parse("a:same-key\nb:same-key", ORIGIN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 2: the key is the same as the one on line 1")
        .message()
        .doesNotContain("same-key");
  }

  @Test
  void twoBareLinesShareTheDefaultName() {
    assertThatThrownBy(() -> ApiKeys.parse("k1\nk2", ORIGIN))
        .hasMessageContaining("line 2: key name \"default\" is already used on line 1");
  }

  @Test
  void badNameEmptyKeyAndWhitespaceAreRefused() {
    assertThatThrownBy(() -> ApiKeys.parse("team a:k", ORIGIN))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 1: key name \"team a\" must be 1-63 letters");
    assertThatThrownBy(() -> ApiKeys.parse(":k", ORIGIN)).hasMessageContaining("key name \"\"");
    assertThatThrownBy(() -> ApiKeys.parse("ok:k\nempty:", ORIGIN))
        .hasMessage("env CAIRN_API_KEY line 2: key \"empty\" has an empty key after ':'");
    assertThatThrownBy(() -> ApiKeys.parse("a:two words", ORIGIN))
        .hasMessage("env CAIRN_API_KEY line 1: key \"a\" contains whitespace")
        .message()
        .doesNotContain("words");
  }

  @Test
  void onlyCommentsIsRefusedRatherThanLeavingV1Open() {
    assertThatThrownBy(() -> ApiKeys.parse("# none yet\n\n", ORIGIN))
        .hasMessage("env CAIRN_API_KEY: holds no key, only blank or comment lines");
  }

  @Test
  void toStringNamesKeysButNeverShowsThem() {
    ApiKeys keys = ApiKeys.parse("a:sk-secret-a\nb:sk-secret-b", ORIGIN);
    assertThat(keys.toString()).isEqualTo("ApiKeys[a, b]");
    assertThat(keys.entries().get(0).toString()).isEqualTo("a:<redacted>");
  }
}
