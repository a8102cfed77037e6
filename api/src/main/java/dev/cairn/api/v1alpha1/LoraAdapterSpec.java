package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One LoRA adapter a worker loads when it starts. */
@JsonClassDescription("A LoRA adapter loaded when a worker starts; clients pick it as \"model\".")
public class LoraAdapterSpec {
  /**
   * Lowercase letters, digits and {@code -_.}, starting and ending alphanumeric; no {@code :},
   * which separates Ray-style ids ({@code base:adapter}).
   */
  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$";

  /** Longest adapter name (a DNS label's length). */
  public static final int NAME_MAX_LENGTH = 63;

  @Required
  @Pattern(NAME_PATTERN)
  @Size(min = 1, max = NAME_MAX_LENGTH)
  @JsonPropertyDescription(
      "Name clients send as \"model\" to use this adapter: 1-63 of [a-z0-9-_.], starting and"
          + " ending alphanumeric; unique, and not the base model's id.")
  private String name;

  @Required
  @Pattern(ModelSpec.SOURCE_PATTERN)
  @JsonPropertyDescription(
      "Where the PEFT adapter (adapter_config.json, adapter_model.safetensors) comes from:"
          + " hf://ORG/NAME[@REV], pvc://CLAIM/PATH (mounted read-only) or file:PATH; hf:// uses"
          + " spec.model.credentialsSecretRef.")
  private String source;

  public LoraAdapterSpec() {}

  public LoraAdapterSpec(String name, String source) {
    this.name = name;
    this.source = source;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getSource() {
    return source;
  }

  public void setSource(String source) {
    this.source = source;
  }
}
