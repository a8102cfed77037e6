package dev.cairn.worker.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.testing.TestModels;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfTokenizerTest {

  private static HfTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = HfTokenizer.load(TestModels.tinyShakespeare());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void encodesEveryReferencePromptToItsReferenceIds() throws Exception {
    JsonNode reference =
        new ObjectMapper()
            .readTree(TestModels.tinyShakespeare().resolve("reference.json").toFile());
    JsonNode first = reference.get("cases").get(0);
    assertThat(first.get("prompt").asText())
        .isEqualTo("ROMEO:\nO, she doth teach the torches to burn bright!\n");
    for (JsonNode c : reference.get("cases")) {
      int[] expected =
          StreamSupport.stream(c.get("prompt_ids").spliterator(), false)
              .mapToInt(JsonNode::asInt)
              .toArray();
      assertThat(tokenizer.encode(c.get("prompt").asText())).containsExactly(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ROMEO:\nO, she doth teach the torches to burn bright!\n",
        "  leading and trailing spaces  ",
        "café naïve résumé",
        "中文字符测试",
        "emoji 🎭🌹 and a ZWJ family 👩‍👩‍👧",
        "tabs\tand\r\nwindows newlines",
        "",
      })
  void decodeOfEncodeGivesBackTheText(String text) {
    assertThat(tokenizer.decode(tokenizer.encode(text), false)).isEqualTo(text);
  }

  @Test
  void specialTokenStringsBecomeTheirIds() {
    int start = tokenizer.tokenId("<|im_start|>").orElseThrow();
    int end = tokenizer.tokenId("<|im_end|>").orElseThrow();
    assertThat(start).isEqualTo(510);
    assertThat(end).isEqualTo(511);
    assertThat(tokenizer.tokenId("<|endoftext|>")).hasValue(509);

    int[] ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>");
    assertThat(ids[0]).isEqualTo(start);
    assertThat(ids[ids.length - 1]).isEqualTo(end);
    assertThat(tokenizer.decode(ids, false)).isEqualTo("<|im_start|>user\nHi<|im_end|>");
    assertThat(tokenizer.decode(ids, true)).isEqualTo("user\nHi");
  }

  @Test
  void addsNoSpecialTokensOfItsOwn() {
    int[] ids = tokenizer.encode("Hi");
    assertThat(ids).doesNotContain(509, 510, 511);
  }

  @Test
  void postProcessorSpecialTokensCanBeSwitchedOff(@TempDir Path dir) throws Exception {
    // A copy of the tiny tokenizer whose post-processor prepends <|endoftext|> like a Llama BOS.
    ObjectMapper json = new ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(TestModels.tinyShakespeare().resolve("tokenizer.json").toFile());
    root.set(
        "post_processor",
        json.readTree(
            """
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                        {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [509],
                                                   "tokens": ["<|endoftext|>"]}}}
            """));
    Path file = dir.resolve("tokenizer.json");
    json.writeValue(file.toFile(), root);
    try (HfTokenizer withBos = HfTokenizer.loadFile(file)) {
      int[] plain = tokenizer.encode("Hi");
      assertThat(withBos.encode("Hi")).startsWith(509).hasSize(plain.length + 1);
      assertThat(withBos.encode("Hi", false)).containsExactly(plain);
    }
  }

  @Test
  void vocabularySizeCoversAddedTokens() {
    assertThat(tokenizer.vocabSize()).isEqualTo(512);
    assertThat(tokenizer.tokenId("no-such-token-anywhere")).isEmpty();
  }

  @Test
  void longInputIsNotTruncated() {
    String text = "To be, or not to be. ".repeat(400);
    int[] ids = tokenizer.encode(text);
    assertThat(ids.length).isGreaterThan(1000);
    assertThat(tokenizer.decode(ids, false)).isEqualTo(text);
  }

  @Test
  void missingFileNamesThePath(@TempDir Path dir) {
    assertThatThrownBy(() -> HfTokenizer.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("tokenizer.json").toString());
  }
}
