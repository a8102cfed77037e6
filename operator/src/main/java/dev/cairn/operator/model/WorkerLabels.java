package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The labels of design.md on everything the operator creates for one LLMDeployment. */
public final class WorkerLabels {
  private WorkerLabels() {}

  /**
   * Labels that select one deployment's pods. Deliberately without the model label: a Deployment's
   * selector is immutable, and the model id may change.
   */
  public static Map<String, String> selector(String name) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CairnNames.LABEL_NAME, CairnNames.WORKER_APP_NAME);
    m.put(CairnNames.LABEL_INSTANCE, name);
    return m;
  }

  /** Selector labels plus managed-by and the model id. */
  public static Map<String, String> common(LLMDeployment llmd) {
    Map<String, String> m = selector(llmd.getMetadata().getName());
    m.put(CairnNames.LABEL_MANAGED_BY, CairnNames.MANAGED_BY);
    m.put(CairnNames.LABEL_MODEL, labelValue(llmd.effectiveModelId()));
    return m;
  }

  /** The selector as a string, for status.selector (the scale subresource). */
  public static String selectorString(String name) {
    return selector(name).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /**
   * A model id as a label value: label values allow at most 63 characters of [-A-Za-z0-9_.]
   * starting and ending alphanumeric, while ids such as "org/model" contain '/'.
   */
  public static String labelValue(String id) {
    String v = id.replaceAll("[^-A-Za-z0-9_.]", "_");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    return v;
  }
}
