package dev.cairn.worker.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IncrementalDecoderTest {

  private static HfTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = HfTokenizer.load(TestModels.tinyShakespeare());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\nGLOUCESTER:\nWhy, then, my lord, and my lord,\nI'll prove a fe",
        " café — naïve",
        "中文字符",
        "roses 🌹🎭 and 👩‍👩‍👧",
      })
  void deltasConcatenateToTheFullDecodeAndNeverHoldHalfCharacters(String text) {
    int[] prompt = tokenizer.encode("ROMEO:");
    int[] generated = tokenizer.encode(text);
    IncrementalDecoder decoder = new IncrementalDecoder(tokenizer, prompt, false);
    StringBuilder streamed = new StringBuilder();
    List<String> deltas = new ArrayList<>();
    for (int id : generated) {
      String delta = decoder.add(id);
      assertThat(delta).doesNotContain("\uFFFD");
      deltas.add(delta);
      streamed.append(delta);
    }
    streamed.append(decoder.flush());
    assertThat(streamed.toString()).isEqualTo(text);
    if (text.contains("🌹")) {
      // An emoji is four byte tokens here: three of them produce no text.
      assertThat(deltas).contains("");
    }
  }

  @Test
  void specialTokensAreSkippedWhenAsked() {
    IncrementalDecoder decoder = new IncrementalDecoder(tokenizer, new int[0], true);
    StringBuilder out = new StringBuilder();
    for (int id : tokenizer.encode("Hi<|im_end|>")) {
      out.append(decoder.add(id));
    }
    assertThat(out.append(decoder.flush()).toString()).isEqualTo("Hi");
  }

  @Test
  void incompleteCharacterAtTheEndIsFlushedAsReplacement() {
    int[] emoji = tokenizer.encode("🌹");
    IncrementalDecoder decoder = new IncrementalDecoder(tokenizer, new int[0], false);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < emoji.length - 1; i++) {
      out.append(decoder.add(emoji[i]));
    }
    assertThat(out.toString()).isEmpty();
    assertThat(decoder.flush()).contains("\uFFFD");
  }
}
