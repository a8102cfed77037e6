package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The GPUs each replica gets. */
@JsonClassDescription("The GPUs each replica gets.")
@ValidationRule(
    value = "self.type.lowerAscii() == 'cpu' || self.count >= 1",
    message = "accelerator.count must be at least 1 unless accelerator.type is cpu")
@ValidationRule(
    value = "self.type.lowerAscii() != 'cpu' || self.count <= 1",
    message =
        "accelerator.count must be 0 or 1 when accelerator.type is cpu: a cpu replica gets no"
            + " GPUs")
public class AcceleratorSpec {
  @Required
  @Pattern("^[A-Za-z0-9][-A-Za-z0-9_.]*$")
  @JsonPropertyDescription(
      "GPU type (A10G, L4, A100-40GB, A100-80GB, H100, H200 or one configured in the operator),"
          + " or cpu; selects nodes by their nvidia.com/gpu.product label.")
  private String type;

  @Min(0)
  @Default("1")
  @JsonPropertyDescription(
      "GPUs per replica; the model's layers are split across them. 0 or 1 for cpu.")
  private Integer count = 1;

  public AcceleratorSpec() {}

  public AcceleratorSpec(String type, int count) {
    this.type = type;
    this.count = count;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  /** True when no GPU is requested. Not a property: it must not appear in the CRD or the JSON. */
  @JsonIgnore
  public boolean isCpu() {
    return "cpu".equalsIgnoreCase(type);
  }
}
