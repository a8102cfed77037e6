package dev.cairn.api.v1alpha1.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.api.v1alpha1.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The rules of spec.lora as {@link SpecValidator} checks them, each naming its field. */
class LoraValidatorTest {
  private final SpecValidator validator = SpecValidator.anyAccelerator();

  private static LLMDeploymentSpec withAdapters(LoraAdapterSpec... adapters) {
    LLMDeploymentSpec spec = new LLMDeploymentSpec();
    ModelSpec model = new ModelSpec();
    model.setSource("file:models/tiny-shakespeare");
    spec.setModel(model);
    spec.setAccelerator(new AcceleratorSpec("cpu", 0));
    LoraSpec lora = new LoraSpec();
    lora.setAdapters(new ArrayList<>(Arrays.asList(adapters)));
    spec.setLora(lora);
    return spec;
  }

  private static LLMDeploymentSpec valid() {
    return withAdapters(
        new LoraAdapterSpec("shouty", "file:models/tiny-shakespeare-lora/shouty"),
        new LoraAdapterSpec("plain", "hf://org/plain-lora@v1"));
  }

  private List<Violation> violations(Consumer<LLMDeploymentSpec> change) {
    LLMDeploymentSpec spec = valid();
    change.accept(spec);
    return validator.validate(spec, "tiny");
  }

  private void assertOnly(Consumer<LLMDeploymentSpec> change, String field, String message) {
    assertThat(violations(change)).containsExactly(new Violation(field, message));
  }

  @Test
  void validAdaptersAndEveryLoadingPathSchemePass() {
    assertThat(validator.validate(valid(), "tiny")).isEmpty();
    for (String path : List.of("hf://my-org", "pvc://loras/adapters", "file:/opt/loras")) {
      assertThat(violations(s -> s.getLora().setDynamicLoadingPath(path))).as(path).isEmpty();
    }
  }

  @Test
  void badNamesAreRefusedWithTheirIndex() {
    for (String bad : List.of("Shouty", "base:shouty", "-x", "x-", "a".repeat(64), "a b")) {
      assertThat(violations(s -> s.getLora().getAdapters().get(1).setName(bad)))
          .as(bad)
          .singleElement()
          .extracting(Violation::field)
          .isEqualTo("spec.lora.adapters[1].name");
    }
    assertOnly(
        s -> s.getLora().getAdapters().get(0).setName(null),
        "spec.lora.adapters[0].name",
        "is required");
  }

  @Test
  void namesMustBeUniqueAndDifferFromTheModelId() {
    assertOnly(
        s -> s.getLora().getAdapters().get(1).setName("shouty"),
        "spec.lora.adapters[1].name",
        "\"shouty\" is already used by spec.lora.adapters[0]");
    assertOnly(
        s -> s.getModel().setId("plain"),
        "spec.lora.adapters[1].name",
        "\"plain\" is the base model's id");
    // Without spec.model.id the resource name is the model id.
    assertThat(validator.validate(valid(), "shouty"))
        .containsExactly(
            new Violation("spec.lora.adapters[0].name", "\"shouty\" is the base model's id"));
  }

  @Test
  void sourcesFollowTheModelSourceSchemes() {
    assertOnly(
        s -> s.getLora().getAdapters().get(0).setSource("s3://bucket/x"),
        "spec.lora.adapters[0].source",
        "\"s3://bucket/x\" is not hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH");
    assertOnly(
        s -> s.getLora().getAdapters().get(1).setSource(" "),
        "spec.lora.adapters[1].source",
        "is required: hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH");
    assertOnly(
        s -> s.getLora().setDynamicLoadingPath("hf://org/name"),
        "spec.lora.dynamicLoadingPath",
        "\"hf://org/name\" is not hf://ORG, pvc://CLAIM/DIR or file:DIR");
  }

  @Test
  void limitsAreChecked() {
    assertOnly(
        s -> s.getLora().setMaxLoraRank(0), "spec.lora.maxLoraRank", "must lie in [1, 512], got 0");
    assertOnly(
        s -> s.getLora().setMaxLoraRank(1024),
        "spec.lora.maxLoraRank",
        "must lie in [1, 512], got 1024");
    assertOnly(
        s -> {
          s.getLora().setMaxLoadedAdapters(1);
          s.getLora().setMaxLorasPerBatch(1);
        },
        "spec.lora.maxLoadedAdapters",
        "must be at least the 2 declared adapters (they are never unloaded), got 1");
    assertOnly(
        s -> s.getLora().setMaxLorasPerBatch(17),
        "spec.lora.maxLorasPerBatch",
        "must not exceed maxLoadedAdapters (16), got 17");
  }

  @Test
  void anEmptyEntryIsNamed() {
    LLMDeploymentSpec spec = withAdapters((LoraAdapterSpec) null);
    assertThat(validator.validate(spec))
        .containsExactly(
            new Violation("spec.lora.adapters[0]", "is empty; name and source are required"));
  }
}
