package dev.cairn.operator.model;

import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What the operator needs to know of a model source: which claim a {@code pvc://} source names. */
public final class ModelSource {
  private static final String PVC = "pvc://";

  private ModelSource() {}

  /** The claim of {@code pvc://CLAIM/PATH}, or empty for every other scheme. */
  public static Optional<String> claim(String source) {
    if (source == null || !source.startsWith(PVC)) {
      return Optional.empty();
    }
    String rest = source.substring(PVC.length());
    int slash = rest.indexOf('/');
    String claim = slash < 0 ? rest : rest.substring(0, slash);
    return claim.isEmpty() ? Optional.empty() : Optional.of(claim);
  }

  /**
   * Every claim the worker reads from, each once: the model's first, then those of the LoRA
   * adapters and of {@code spec.lora.dynamicLoadingPath}, in spec order.
   */
  public static List<String> claims(LLMDeploymentSpec spec) {
    Set<String> claims = new LinkedHashSet<>();
    claim(spec.getModel().getSource()).ifPresent(claims::add);
    LoraSpec lora = spec.getLora();
    if (lora != null) {
      for (LoraAdapterSpec a : lora.declared()) {
        claim(a.getSource()).ifPresent(claims::add);
      }
      claim(lora.getDynamicLoadingPath()).ifPresent(claims::add);
    }
    return new ArrayList<>(claims);
  }
}
