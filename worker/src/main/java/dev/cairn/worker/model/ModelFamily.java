package dev.cairn.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.safetensors.SafetensorsWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * An architecture of the Llama lineage: the shared block (pre-norm attention + SwiGLU MLP with
 * RMSNorm and RoPE) and Hugging Face weight names are common; families differ in small switches.
 */
public abstract class ModelFamily {

  private static final List<ModelFamily> FAMILIES =
      List.of(new LlamaFamily(), new MistralFamily(), new Qwen2Family());

  /** The Hugging Face architecture name, e.g. "LlamaForCausalLM". */
  public abstract String architecture();

  /** Whether q/k/v projections have biases, given the raw config. */
  public abstract boolean qkvBias(JsonNode config);

  /**
   * Whether a {@code sliding_window} in the config applies unless {@code use_sliding_window} says.
   */
  public abstract boolean slidingWindowByDefault();

  /** The family for {@code architecture}, or a clear error listing the supported ones. */
  public static ModelFamily forArchitecture(String architecture) {
    for (ModelFamily f : FAMILIES) {
      if (f.architecture().equals(architecture)) {
        return f;
      }
    }
    throw new ModelLoadException(
        "unsupported architecture '"
            + architecture
            + "' (supported: "
            + String.join(", ", FAMILIES.stream().map(ModelFamily::architecture).toList())
            + ")");
  }

  /** Binds every weight by its Hugging Face name, checking each shape against {@code c}. */
  public ModelWeights<HostTensor> bind(SafetensorsWeights w, ModelConfig c) {
    int h = c.hiddenSize();
    HostTensor embed = w.tensor("model.embed_tokens.weight", c.vocabSize(), h);
    List<LayerWeights<HostTensor>> layers = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      layers.add(bindLayer(w, c, "model.layers." + i + "."));
    }
    HostTensor head =
        c.tieWordEmbeddings() && !w.has("lm_head.weight")
            ? embed
            : w.tensor("lm_head.weight", c.vocabSize(), h);
    return new ModelWeights<>(embed, List.copyOf(layers), w.tensor("model.norm.weight", h), head);
  }

  private static LayerWeights<HostTensor> bindLayer(SafetensorsWeights w, ModelConfig c, String p) {
    int h = c.hiddenSize();
    int qd = c.qDim();
    int kvd = c.kvDim();
    int inter = c.intermediateSize();
    String a = p + "self_attn.";
    boolean bias = c.qkvBias();
    return new LayerWeights<>(
        w.tensor(p + "input_layernorm.weight", h),
        w.tensor(a + "q_proj.weight", qd, h),
        bias ? w.tensor(a + "q_proj.bias", qd) : null,
        w.tensor(a + "k_proj.weight", kvd, h),
        bias ? w.tensor(a + "k_proj.bias", kvd) : null,
        w.tensor(a + "v_proj.weight", kvd, h),
        bias ? w.tensor(a + "v_proj.bias", kvd) : null,
        w.tensor(a + "o_proj.weight", h, qd),
        w.tensor(p + "post_attention_layernorm.weight", h),
        w.tensor(p + "mlp.gate_proj.weight", inter, h),
        w.tensor(p + "mlp.up_proj.weight", inter, h),
        w.tensor(p + "mlp.down_proj.weight", h, inter));
  }
}
