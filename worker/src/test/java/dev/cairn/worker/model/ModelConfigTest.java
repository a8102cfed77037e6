package dev.cairn.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** config.json parsing per architecture, RoPE scaling, and the errors for unsupported input. */
class ModelConfigTest {

  private static ObjectNode base(String arch) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.putArray("architectures").add(arch);
    n.put("hidden_size", 2048).put("intermediate_size", 8192).put("num_hidden_layers", 16);
    n.put("num_attention_heads", 32).put("num_key_value_heads", 8).put("vocab_size", 128256);
    n.put("max_position_embeddings", 131072).put("rope_theta", 500000.0).put("rms_norm_eps", 1e-5);
    return n;
  }

  @Test
  void parsesLlama31WithLlama3RopeScaling() {
    ObjectNode n = base("LlamaForCausalLM");
    n.put("tie_word_embeddings", true).put("torch_dtype", "bfloat16");
    n.putObject("rope_scaling")
        .put("rope_type", "llama3")
        .put("factor", 32.0)
        .put("low_freq_factor", 1.0)
        .put("high_freq_factor", 4.0)
        .put("original_max_position_embeddings", 8192);
    ModelConfig c = ModelConfig.parse(n, "config.json");
    assertThat(c.headDim()).isEqualTo(64);
    assertThat(c.kvDim()).isEqualTo(512);
    assertThat(c.qkvBias()).isFalse();
    assertThat(c.tieWordEmbeddings()).isTrue();
    assertThat(c.ropeScaling()).isEqualTo(new RopeScaling("llama3", 32.0, 1.0, 4.0, 8192));
    assertThat(c.maxModelLen()).isEqualTo(131072);
    assertThat(c.torchDtype()).isEqualTo("bfloat16");
  }

  @Test
  void llama3ScalingKeepsHighFrequenciesAndDividesLowOnes() {
    RopeScaling s = new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192);
    double[] plain = RopeScaling.inverseFrequencies(128, 500000.0, null);
    double[] scaled = RopeScaling.inverseFrequencies(128, 500000.0, s);
    assertThat(scaled[0]).isEqualTo(plain[0]); // wavelength 2π: far below 8192/4
    assertThat(scaled[63]).isCloseTo(plain[63] / 8, org.assertj.core.data.Offset.offset(1e-15));
    double[] linear =
        RopeScaling.inverseFrequencies(128, 500000.0, new RopeScaling("linear", 2.0, 0, 0, 0));
    assertThat(linear[5]).isEqualTo(plain[5] / 2);
  }

  @Test
  void qwen2HasBiasesAndMistralHonoursSlidingWindow() {
    assertThat(ModelConfig.parse(base("Qwen2ForCausalLM"), "c").qkvBias()).isTrue();
    ObjectNode m = base("MistralForCausalLM");
    m.put("sliding_window", 4096).put("head_dim", 128);
    ModelConfig c = ModelConfig.parse(m, "c");
    assertThat(c.maxModelLen()).isEqualTo(4096);
    assertThat(c.headDim()).isEqualTo(128);
    ObjectNode q = base("Qwen2ForCausalLM");
    q.put("sliding_window", 4096).put("use_sliding_window", false);
    assertThat(ModelConfig.parse(q, "c").maxModelLen()).isEqualTo(131072);
  }

  @Test
  void unsupportedArchitectureListsTheSupportedOnes() {
    assertThatThrownBy(() -> ModelConfig.parse(base("GPT2LMHeadModel"), "config.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage(
            "unsupported architecture 'GPT2LMHeadModel' (supported: LlamaForCausalLM, "
                + "MistralForCausalLM, Qwen2ForCausalLM)");
  }

  @Test
  void missingFieldsAndBadValuesAreNamed() {
    ObjectNode n = base("LlamaForCausalLM");
    n.remove("hidden_size");
    assertThatThrownBy(() -> ModelConfig.parse(n, "m/config.json"))
        .hasMessage("m/config.json: field 'hidden_size' is missing or not a positive integer");
    ObjectNode g = base("LlamaForCausalLM");
    g.put("num_key_value_heads", 5);
    assertThatThrownBy(() -> ModelConfig.parse(g, "c")).hasMessageContaining("not a multiple");
    ObjectNode r = base("LlamaForCausalLM");
    r.putObject("rope_scaling").put("type", "yarn").put("factor", 4.0);
    assertThatThrownBy(() -> ModelConfig.parse(r, "c"))
        .hasMessageContaining(
            "rope_scaling type 'yarn' is not supported (supported: linear, llama3)");
    ObjectNode none = new ObjectMapper().createObjectNode();
    assertThatThrownBy(() -> ModelConfig.parse(none, "c"))
        .hasMessageContaining("'architectures' is missing");
  }
}
