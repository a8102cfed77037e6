package dev.cairn.worker.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readsTheTinyModelsTokenizerConfig() {
    TokenizerConfig config = TokenizerConfig.load(TestModels.tinyShakespeare());
    assertThat(config.chatTemplate()).get().asString().startsWith("{% for message in messages %}");
    assertThat(config.eosToken()).contains("<|im_end|>");
    assertThat(config.padToken()).contains("<|endoftext|>");
    assertThat(config.bosToken()).isEmpty();
    assertThat(config.addBosToken()).isFalse();
    assertThat(config.modelMaxLength()).hasValue(512);
  }

  @Test
  void tokenObjectsTemplateListsAndPlaceholderLengths() throws Exception {
    TokenizerConfig config =
        TokenizerConfig.parse(
            JSON.readTree(
                """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "add_bos_token": true, "model_max_length": 1e30,
                 "chat_template": [{"name": "tool_use", "template": "T"},
                                   {"name": "default", "template": "D"}]}
                """),
            "x.json");
    assertThat(config.bosToken()).contains("<s>");
    assertThat(config.eosToken()).contains("</s>");
    assertThat(config.addBosToken()).isTrue();
    assertThat(config.modelMaxLength()).isEmpty();
    assertThat(config.chatTemplate()).contains("D");
  }

  @Test
  void badChatTemplateNamesTheFile() throws Exception {
    assertThatThrownBy(
            () -> TokenizerConfig.parse(JSON.readTree("{\"chat_template\": 3}"), "cfg.json"))
        .hasMessageContaining("cfg.json")
        .hasMessageContaining("chat_template");
  }

  @Test
  void separateJinjaFileIsUsedWhenTheConfigHasNoTemplate(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages[0]['content'] }}");
    assertThat(TokenizerConfig.load(dir).chatTemplate()).contains("{{ messages[0]['content'] }}");
  }

  @Test
  void generationConfigOfTheTinyModelAddsTheTokenizersEos() {
    Path dir = TestModels.tinyShakespeare();
    try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
      GenerationConfig config = GenerationConfig.load(dir, TokenizerConfig.load(dir), tokenizer);
      assertThat(config.eosTokenIds()).containsExactlyInAnyOrder(511, 509);
      assertThat(config.bosTokenId()).hasValue(509);
      assertThat(config.temperature()).hasValue(0.8);
      assertThat(config.topP()).hasValue(0.95);
      assertThat(config.topK()).isEmpty();
      assertThat(config.doSample()).contains(true);
    }
  }

  @Test
  void missingGenerationConfigGivesDefaultsPlusTokenizerEos(@TempDir Path dir) {
    try (HfTokenizer tokenizer = HfTokenizer.load(TestModels.tinyShakespeare())) {
      GenerationConfig config =
          GenerationConfig.load(dir, TokenizerConfig.load(TestModels.tinyShakespeare()), tokenizer);
      assertThat(config.eosTokenIds()).containsExactly(511);
      assertThat(config.temperature()).isEmpty();
      assertThat(config.bosTokenId()).isEqualTo(OptionalInt.empty());
    }
  }

  @Test
  void singleEosIdAndAllDefaults() throws Exception {
    GenerationConfig config =
        GenerationConfig.parse(
            JSON.readTree(
                """
                {"eos_token_id": 2, "top_k": 40, "repetition_penalty": 1.1,
                 "max_new_tokens": 256, "do_sample": false}
                """),
            "g.json");
    assertThat(config.eosTokenIds()).containsExactly(2);
    assertThat(config.topK()).hasValue(40);
    assertThat(config.repetitionPenalty()).hasValue(1.1);
    assertThat(config.maxNewTokens()).hasValue(256);
    assertThat(config.doSample()).contains(false);
  }

  @Test
  void badGenerationFieldNamesFileAndField() throws Exception {
    assertThatThrownBy(
            () -> GenerationConfig.parse(JSON.readTree("{\"eos_token_id\": \"x\"}"), "g.json"))
        .hasMessageContaining("g.json")
        .hasMessageContaining("eos_token_id");
  }

  @Test
  void invalidJsonNamesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("generation_config.json"), "{not json");
    assertThatThrownBy(() -> GenerationConfig.load(dir, TokenizerConfig.empty(), null))
        .hasMessageContaining("generation_config.json");
  }
}
