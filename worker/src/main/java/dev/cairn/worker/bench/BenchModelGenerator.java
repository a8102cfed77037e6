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
 * Writes random-weight BF16 models with the shapes of real checkpoints (Qwen2.5-0.5B by default,
 * Llama-3.2-1B on request): real memory traffic for benchmarks without downloading a checkpoint.
 */
public final class BenchModelGenerator {

  private static final ValueLayout.OfShort LE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * A checkpoint's dimensions.
   *
   * @param qkvBias whether q/k/v projections carry biases (Qwen2 does, Llama does not)
   */
  public record Shape(
      String architecture,
      String modelType,
      int hidden,
      int layers,
      int heads,
      int kvHeads,
      int inter,
      int vocab,
      double ropeTheta,
      double rmsNormEps,
      boolean qkvBias) {

    /** Qwen2.5-0.5B: hidden 896, 24 layers, 14 heads over 2 KV heads, SwiGLU 4864, tied. */
    public static final Shape QWEN25_05B =
        new Shape("Qwen2ForCausalLM", "qwen2", 896, 24, 14, 2, 4864, 151936, 1e6, 1e-6, true);

    /** Llama-3.2-1B: hidden 2048, 16 layers, 32 heads over 8 KV heads, SwiGLU 8192, tied. */
    public static final Shape LLAMA32_1B =
        new Shape(
            "LlamaForCausalLM", "llama", 2048, 16, 32, 8, 8192, 128256, 500000.0, 1e-5, false);

    /** The shape a bench model directory's name asks for: "1b" in it means Llama-3.2-1B. */
    public static Shape forDirectory(Path dir) {
      return dir.getFileName().toString().contains("1b") ? LLAMA32_1B : QWEN25_05B;
    }

    int headDim() {
      return hidden / heads;
    }
  }

  private BenchModelGenerator() {}

  /** Writes the model its directory's name asks for, unless one is already there. */
  public static Path ensure(Path dir) throws IOException {
    return ensure(dir, Shape.forDirectory(dir));
  }

  /** Writes a {@code shape} model into {@code dir} unless a config and checkpoint are there. */
  public static Path ensure(Path dir, Shape shape) throws IOException {
    if (Files.exists(dir.resolve("config.json"))
        && Files.exists(dir.resolve("model.safetensors"))) {
      return dir;
    }
    Files.createDirectories(dir);
    int hidden = shape.hidden();
    int kvDim = shape.kvHeads() * shape.headDim();
    List<Entry> entries = new ArrayList<>();
    entries.add(random("model.embed_tokens.weight", 0.02f, shape.vocab(), hidden));
    for (int l = 0; l < shape.layers(); l++) {
      String p = "model.layers." + l + ".";
      entries.add(constant(p + "input_layernorm.weight", 1f, hidden));
      entries.add(random(p + "self_attn.q_proj.weight", 0.03f, hidden, hidden));
      entries.add(random(p + "self_attn.k_proj.weight", 0.03f, kvDim, hidden));
      entries.add(random(p + "self_attn.v_proj.weight", 0.03f, kvDim, hidden));
      if (shape.qkvBias()) {
        entries.add(random(p + "self_attn.q_proj.bias", 0.01f, hidden));
        entries.add(random(p + "self_attn.k_proj.bias", 0.01f, kvDim));
        entries.add(random(p + "self_attn.v_proj.bias", 0.01f, kvDim));
      }
      entries.add(random(p + "self_attn.o_proj.weight", 0.03f, hidden, hidden));
      entries.add(constant(p + "post_attention_layernorm.weight", 1f, hidden));
      entries.add(random(p + "mlp.gate_proj.weight", 0.03f, shape.inter(), hidden));
      entries.add(random(p + "mlp.up_proj.weight", 0.03f, shape.inter(), hidden));
      entries.add(random(p + "mlp.down_proj.weight", 0.015f, hidden, shape.inter()));
    }
    entries.add(constant("model.norm.weight", 1f, hidden));
    SafetensorsWriter.write(dir.resolve("model.safetensors"), entries);
    Files.writeString(dir.resolve("config.json"), config(shape));
    return dir;
  }

  private static String config(Shape shape) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.putArray("architectures").add(shape.architecture());
    c.put("model_type", shape.modelType()).put("hidden_size", shape.hidden());
    c.put("intermediate_size", shape.inter()).put("num_hidden_layers", shape.layers());
    c.put("num_attention_heads", shape.heads()).put("num_key_value_heads", shape.kvHeads());
    c.put("vocab_size", shape.vocab()).put("rms_norm_eps", shape.rmsNormEps());
    c.put("rope_theta", shape.ropeTheta()).put("max_position_embeddings", 32768);
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
