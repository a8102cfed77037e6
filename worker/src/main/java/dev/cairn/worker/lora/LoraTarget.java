package dev.cairn.worker.lora;

import dev.cairn.worker.model.ModelConfig;
import java.util.Optional;

/** A projection of a decoder layer that an adapter may adapt, with its PEFT module name. */
public enum LoraTarget {
  Q("self_attn", "q_proj"),
  K("self_attn", "k_proj"),
  V("self_attn", "v_proj"),
  O("self_attn", "o_proj"),
  GATE("mlp", "gate_proj"),
  UP("mlp", "up_proj"),
  DOWN("mlp", "down_proj");

  private final String parent;
  private final String module;

  LoraTarget(String parent, String module) {
    this.parent = parent;
    this.module = module;
  }

  /** The PEFT module name, e.g. {@code q_proj}. */
  public String module() {
    return module;
  }

  /** The block the module sits in: {@code self_attn} or {@code mlp}. */
  public String parent() {
    return parent;
  }

  /** Input width of the projection: the columns of lora_A. */
  public int inDim(ModelConfig c) {
    return switch (this) {
      case Q, K, V, GATE, UP -> c.hiddenSize();
      case O -> c.qDim();
      case DOWN -> c.intermediateSize();
    };
  }

  /** Output width of the projection: the rows of lora_B. */
  public int outDim(ModelConfig c) {
    return switch (this) {
      case Q -> c.qDim();
      case K, V -> c.kvDim();
      case O, DOWN -> c.hiddenSize();
      case GATE, UP -> c.intermediateSize();
    };
  }

  /**
   * The target a PEFT {@code target_modules} entry names: the bare module ({@code q_proj}) or a
   * dotted path ending in it ({@code model.layers.0.self_attn.q_proj}), as PEFT matches by suffix.
   */
  public static Optional<LoraTarget> ofModuleName(String name) {
    String last = name.substring(name.lastIndexOf('.') + 1);
    for (LoraTarget t : values()) {
      if (t.module.equals(last)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
