package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.model.safetensors.SafetensorsWriter;
import dev.cairn.worker.model.safetensors.SafetensorsWriter.Entry;
import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading model directories: a small random Llama with an untied head and llama3 RoPE scaling runs
 * the same on CPU as on the reference; dtype conversion; and the errors for missing or misshapen
 * weights and a missing config.
 */
class ModelLoadingTest {

  @TempDir Path dir;

  private void writeLlama(Predicate<String> keep, String badShapeTensor) throws IOException {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("hidden_size", 48).put("intermediate_size", 80).put("num_hidden_layers", 2);
    c.put("num_attention_heads", 6).put("num_key_value_heads", 2).put("vocab_size", 70);
    c.put("max_position_embeddings", 64).put("tie_word_embeddings", false);
    c.putObject("rope_scaling")
        .put("rope_type", "llama3")
        .put("factor", 8.0)
        .put("low_freq_factor", 1.0)
        .put("high_freq_factor", 4.0)
        .put("original_max_position_embeddings", 16);
    Files.writeString(dir.resolve("config.json"), c.toString());
    Random r = new Random(3);
    List<Entry> e = new ArrayList<>();
    add(e, r, "model.embed_tokens.weight", 70, 48);
    add(e, r, "lm_head.weight", 70, 48);
    add(e, r, "model.norm.weight", 48);
    for (int l = 0; l < 2; l++) {
      String p = "model.layers." + l + ".";
      add(e, r, p + "input_layernorm.weight", 48);
      add(e, r, p + "post_attention_layernorm.weight", 48);
      add(e, r, p + "self_attn.q_proj.weight", 48, 48);
      add(e, r, p + "self_attn.k_proj.weight", 16, 48);
      add(e, r, p + "self_attn.v_proj.weight", 16, 48);
      add(e, r, p + "self_attn.o_proj.weight", 48, 48);
      add(e, r, p + "mlp.gate_proj.weight", 80, 48);
      add(e, r, p + "mlp.up_proj.weight", 80, 48);
      add(e, r, p + "mlp.down_proj.weight", 48, 80);
    }
    List<Entry> kept = new ArrayList<>();
    for (Entry en : e) {
      if (!keep.test(en.name())) {
        continue;
      }
      kept.add(
          en.name().equals(badShapeTensor)
              ? new Entry(
                  en.name(), en.dtype(), new int[] {en.shape()[1], en.shape()[0]}, en.fill())
              : en);
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), kept);
  }

  private static void add(List<Entry> e, Random r, String name, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] =
          (float) r.nextGaussian() * (shape.length == 1 ? 0.1f : 0.3f)
              + (shape.length == 1 ? 1f : 0f);
    }
    e.add(Entry.ofBf16(name, v, shape));
  }

  @Test
  void llamaWithUntiedHeadAndLlama3ScalingMatchesReference() throws IOException {
    writeLlama(n -> true, null);
    int[] prompt = {5, 17, 3, 69, 0, 42, 8, 8, 1, 30, 2, 11, 60, 7, 19, 23, 4, 50, 9, 33};
    int[] table = {1, 0};
    try (TransformerExecutor cpu =
            HostWeights.load(dir, "auto").executorOn(new CpuBackend(2, true), 2);
        TransformerExecutor ref =
            HostWeights.load(dir, "auto").executorOn(new ReferenceBackend(), 2)) {
      float[] a = cpu.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
      float[] b = ref.execute(List.of(new SequenceChunk(prompt, 0, table, true)))[0];
      for (int i = 0; i < b.length; i++) {
        assertThat(a[i])
            .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-3f * (1 + Math.abs(b[i]))));
      }
    }
  }

  @Test
  void bfloat16OptionOnF32WeightsReproducesTheBf16Reference() {
    JsonNode bf16Case = null;
    for (JsonNode c : TestModels.reference().get("cases")) {
      if (c.get("weights").asText().equals("bf16")) {
        bf16Case = c;
      }
    }
    int[] prompt = TestModels.ints(bf16Case.get("prompt_ids"));
    float[] expected = TestModels.floats(bf16Case.get("last_logits"));
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "bfloat16")
            .executorOn(new CpuBackend(2, true), 4)) {
      float[] logits =
          ex.execute(List.of(new SequenceChunk(prompt, 0, TestModels.blocks(0, 2), true)))[0];
      for (int i = 0; i < expected.length; i++) {
        assertThat(logits[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-3f));
      }
    }
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    writeLlama(n -> !n.equals("model.layers.1.mlp.up_proj.weight"), null);
    assertThatThrownBy(() -> HostWeights.load(dir, "auto").executorOn(new ReferenceBackend(), 2))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tensor 'model.layers.1.mlp.up_proj.weight' not found");
  }

  @Test
  void untiedModelWithoutHeadIsAnError() throws IOException {
    writeLlama(n -> !n.equals("lm_head.weight"), null);
    assertThatThrownBy(() -> HostWeights.load(dir, "auto").executorOn(new ReferenceBackend(), 2))
        .hasMessageContaining("tensor 'lm_head.weight' not found");
  }

  @Test
  void wrongShapeNamesTensorExpectedAndActual() throws IOException {
    writeLlama(n -> true, "model.layers.0.self_attn.k_proj.weight");
    assertThatThrownBy(() -> HostWeights.load(dir, "auto").executorOn(new ReferenceBackend(), 2))
        .hasMessage(
            "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [48, 16], expected [16, 48]");
  }

  @Test
  void missingConfigAndBadDtypeOptionAreNamed() throws IOException {
    assertThatThrownBy(() -> HostWeights.load(dir, "auto").executorOn(new ReferenceBackend(), 2))
        .hasMessageContaining("config.json not found");
    writeLlama(n -> true, null);
    assertThatThrownBy(() -> HostWeights.load(dir, "int4").executorOn(new ReferenceBackend(), 2))
        .hasMessageContaining("unsupported dtype 'int4'");
  }
}
