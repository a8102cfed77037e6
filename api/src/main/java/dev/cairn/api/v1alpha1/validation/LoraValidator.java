package dev.cairn.api.v1alpha1.validation;

import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.api.v1alpha1.ModelSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules of {@code spec.lora}: the CRD's patterns, limits and CEL rules, checked in Java. */
final class LoraValidator {
  private static final String P = "spec.lora.";
  private static final Pattern NAME = Pattern.compile(LoraAdapterSpec.NAME_PATTERN);
  private static final Pattern SOURCE = Pattern.compile(ModelSpec.SOURCE_PATTERN);
  private static final Pattern LOADING_PATH = Pattern.compile(LoraSpec.LOADING_PATH_PATTERN);

  private LoraValidator() {}

  /**
   * Adds a violation for every broken rule of {@code lora}.
   *
   * @param modelId the base model's id (spec.model.id, else metadata.name), or null when unknown
   */
  static void validate(LoraSpec lora, String modelId, List<Violation> out) {
    List<LoraAdapterSpec> adapters = lora.declared();
    if (adapters.size() > LoraSpec.MAX_DECLARED) {
      out.add(
          new Violation(
              P + "adapters",
              "at most " + LoraSpec.MAX_DECLARED + " adapters, got " + adapters.size()));
    }
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < adapters.size(); i++) {
      adapter(adapters.get(i), i, modelId, firstIndex, out);
    }
    String path = lora.getDynamicLoadingPath();
    if (path != null && !LOADING_PATH.matcher(path).matches()) {
      out.add(
          new Violation(
              P + "dynamicLoadingPath",
              "\"" + path + "\" is not hf://ORG, pvc://CLAIM/DIR or file:DIR"));
    }
    within(P + "maxLoadedAdapters", lora.getMaxLoadedAdapters(), LoraSpec.LOADED_LIMIT, out);
    within(P + "maxLorasPerBatch", lora.getMaxLorasPerBatch(), LoraSpec.LOADED_LIMIT, out);
    within(P + "maxLoraRank", lora.getMaxLoraRank(), LoraSpec.RANK_LIMIT, out);
    int maxLoaded = lora.effectiveMaxLoadedAdapters();
    if (adapters.size() > maxLoaded) {
      out.add(
          new Violation(
              P + "maxLoadedAdapters",
              "must be at least the "
                  + adapters.size()
                  + " declared adapters (they are never unloaded), got "
                  + maxLoaded));
    }
    if (lora.effectiveMaxLorasPerBatch() > maxLoaded) {
      out.add(
          new Violation(
              P + "maxLorasPerBatch",
              "must not exceed maxLoadedAdapters ("
                  + maxLoaded
                  + "), got "
                  + lora.effectiveMaxLorasPerBatch()));
    }
  }

  private static void adapter(
      LoraAdapterSpec a,
      int i,
      String modelId,
      Map<String, Integer> firstIndex,
      List<Violation> out) {
    String field = P + "adapters[" + i + "]";
    if (a == null) {
      out.add(new Violation(field, "is empty; name and source are required"));
      return;
    }
    String name = a.getName();
    if (name == null || name.isEmpty()) {
      out.add(new Violation(field + ".name", "is required"));
    } else if (name.length() > LoraAdapterSpec.NAME_MAX_LENGTH || !NAME.matcher(name).matches()) {
      out.add(
          new Violation(
              field + ".name",
              "\""
                  + name
                  + "\" must be 1-63 characters of a-z, 0-9, '-', '_' or '.', starting and ending"
                  + " with a letter or digit"));
    } else if (firstIndex.containsKey(name)) {
      out.add(
          new Violation(
              field + ".name",
              "\""
                  + name
                  + "\" is already used by spec.lora.adapters["
                  + firstIndex.get(name)
                  + "]"));
    } else if (name.equals(modelId)) {
      out.add(new Violation(field + ".name", "\"" + name + "\" is the base model's id"));
    }
    if (name != null) {
      firstIndex.putIfAbsent(name, i);
    }
    String source = a.getSource();
    if (source == null || source.isBlank()) {
      out.add(
          new Violation(
              field + ".source",
              "is required: hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH"));
    } else if (!SOURCE.matcher(source).matches()) {
      out.add(
          new Violation(
              field + ".source",
              "\"" + source + "\" is not hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH"));
    }
  }

  private static void within(String field, Integer v, int max, List<Violation> out) {
    if (v != null && (v < 1 || v > max)) {
      out.add(new Violation(field, "must lie in [1, " + max + "], got " + v));
    }
  }
}
