package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.model.safetensors.SafetensorsWriter;
import dev.cairn.worker.model.safetensors.SafetensorsWriter.Entry;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a random-weight BF16 model with the shape of Qwen2.5-0.5B (hidden 896, 24 layers, 14 heads
 * over 2 KV heads, SwiGLU 4864, vocabulary 151936, tied embeddings): real memory traffic for
 * benchmarks without downloading a checkpoint.
 */
public final class BenchModelGenerator {

  private static final ValueLayout.OfShort LE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private BenchModelGenerator() {}

  /** Writes the model into {@code dir} unless a config and checkpoint are already there. */
  public static Path ensure(Path dir) throws IOException {
    if (Files.exists(dir.resolve("config.json"))
        && Files.exists(dir.resolve("model.safetensors"))) {
      return dir;
    }
    Files.createDirectories(dir);
    int hidden = 896;
    int layers = 24;
    int inter = 4864;
    int vocab = 151936;
    int kvDim = 2 * 64;
    List<Entry> entries = new ArrayList<>();
    entries.add(random("model.embed_tokens.weight", 0.02f, vocab, hidden));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      entries.add(constant(p + "input_layernorm.weight", 1f, hidden));
      entries.add(random(p + "self_attn.q_proj.weight", 0.03f, hidden, hidden));
      entries.add(random(p + "self_attn.q_proj.bias", 0.01f, hidden));
      entries.add(random(p + "self_attn.k_proj.weight", 0.03f, kvDim, hidden));
      entries.add(random(p + "self_attn.k_proj.bias", 0.01f, kvDim));
      entries.add(random(p + "self_attn.v_proj.weight", 0.03f, kvDim, hidden));
      entries.add(random(p + "self_attn.v_proj.bias", 0.01f, kvDim));
      entries.add(random(p + "self_attn.o_proj.weight", 0.03f, hidden, hidden));
      entries.add(constant(p + "post_attention_layernorm.weight", 1f, hidden));
      entries.add(random(p + "mlp.gate_proj.weight", 0.03f, inter, hidden));
      entries.add(random(p + "mlp.up_proj.weight", 0.03f, inter, hidden));
      entries.add(random(p + "mlp.down_proj.weight", 0.015f, hidden, inter));
    }
    entries.add(constant("model.norm.weight", 1f, hidden));
    SafetensorsWriter.write(dir.resolve("model.safetensors"), entries);
    Files.writeString(dir.resolve("config.json"), config(hidden, layers, inter, vocab));
    return dir;
  }

  private static String config(int hidden, int layers, int inter, int vocab) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add("Qwen2ForCausalLM");
    c.put("model_type", "qwen2").put("hidden_size", hidden).put("intermediate_size", inter);
    c.put("num_hidden_layers", layers).put("num_attention_heads", 14);
    c.put("num_key_value_heads", 2).put("vocab_size", vocab).put("rms_norm_eps", 1e-6);
    c.put("rope_theta", 1000000.0).put("max_position_embeddings", 32768);
    c.put("tie_word_embeddings", true).put("torch_dtype", "bfloat16");
    return c.toPrettyString();
  }

  /** Uniform values in [-scale, scale] from a xorshift stream: fast enough for 0.5 G values. */
  private static Entry random(String name, float scale, int... shape) {
    long seed = name.hashCode() * 0x9E3779B97F4A7C15L | 1;
    return new Entry(name, DType.BF16, shape, seg -> fill(seg, seed, scale));
  }

  private static void fill(MemorySegment seg, long seed, float scale) {
    long s = seed;
    long n = seg.byteSize() / 2;
    for (long i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 7;
      s ^= s << 17;
      float u = ((s >>> 40) / (float) (1L << 24)) * 2f - 1f;
      seg.setAtIndex(LE16, i, DType.floatToBf16(u * scale));
    }
  }

  private static Entry constant(String name, float value, int... shape) {
    short bits = DType.floatToBf16(value);
    return new Entry(
        name,
        DType.BF16,
        shape,
        seg -> {
          for (long i = 0; i < seg.byteSize() / 2; i++) {
            seg.setAtIndex(LE16, i, bits);
          }
        });
  }
}
