package dev.cairn.operator.monitoring.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.MonitoringSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Names, labels and owner references shared by the monitoring objects of one LLMDeployment. */
final class MonitoringMetadata {
  private static final Pattern INVALID_LABEL_CHARS = Pattern.compile("[^A-Za-z0-9_.-]");
  private static final int MAX_LABEL_VALUE = 63;

  private MonitoringMetadata() {}

  /** The resource's name; a missing one is a programming error upstream, named clearly. */
  static String name(LLMDeployment llmd) {
    ObjectMeta meta = requireMeta(llmd);
    if (meta.getName() == null || meta.getName().isBlank()) {
      throw new IllegalArgumentException("LLMDeployment metadata.name is missing");
    }
    return meta.getName();
  }

  static String namespace(LLMDeployment llmd) {
    ObjectMeta meta = requireMeta(llmd);
    if (meta.getNamespace() == null || meta.getNamespace().isBlank()) {
      throw new IllegalArgumentException(
          "LLMDeployment " + meta.getName() + " has no metadata.namespace");
    }
    return meta.getNamespace();
  }

  /** spec.monitoring, or the defaults when the spec leaves it out. */
  static MonitoringSpec monitoring(LLMDeployment llmd) {
    if (llmd.getSpec() == null) {
      throw new IllegalArgumentException("LLMDeployment " + name(llmd) + " has no spec");
    }
    MonitoringSpec m = llmd.getSpec().getMonitoring();
    return m != null ? m : new MonitoringSpec();
  }

  /** The labels on every object Cairn creates for this resource. */
  static Map<String, String> cairnLabels(LLMDeployment llmd) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CairnNames.LABEL_NAME, CairnNames.WORKER_APP_NAME);
    labels.put(CairnNames.LABEL_INSTANCE, name(llmd));
    labels.put(CairnNames.LABEL_MANAGED_BY, CairnNames.MANAGED_BY);
    labels.put(CairnNames.LABEL_MODEL, labelValue(llmd.effectiveModelId()));
    return labels;
  }

  /**
   * User labels first, Cairn's on top: Cairn's identify what it owns, so a user label cannot
   * overwrite them.
   */
  static Map<String, String> labels(LLMDeployment llmd, Map<String, String> userLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (userLabels != null) {
      labels.putAll(userLabels);
    }
    labels.putAll(cairnLabels(llmd));
    return labels;
  }

  /** The worker Service's selector labels, which the ServiceMonitor matches. */
  static Map<String, String> workerServiceSelector(LLMDeployment llmd) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(CairnNames.LABEL_NAME, CairnNames.WORKER_APP_NAME);
    selector.put(CairnNames.LABEL_INSTANCE, name(llmd));
    return selector;
  }

  /** Controller owner reference: the object is garbage-collected with the LLMDeployment. */
  static OwnerReference ownerReference(LLMDeployment llmd) {
    return new OwnerReferenceBuilder()
        .withApiVersion(CairnNames.API_VERSION)
        .withKind(CairnNames.KIND)
        .withName(name(llmd))
        .withUid(requireMeta(llmd).getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * Model ids such as "Qwen/Qwen2.5-0.5B" are not valid label values: replace the offending
   * characters and trim to 63 characters, alphanumeric at both ends.
   */
  static String labelValue(String raw) {
    String v = INVALID_LABEL_CHARS.matcher(raw == null ? "" : raw).replaceAll("_");
    if (v.length() > MAX_LABEL_VALUE) {
      v = v.substring(0, MAX_LABEL_VALUE);
    }
    int start = 0;
    int end = v.length();
    while (start < end && !Character.isLetterOrDigit(v.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetterOrDigit(v.charAt(end - 1))) {
      end--;
    }
    return v.substring(start, end);
  }

  private static ObjectMeta requireMeta(LLMDeployment llmd) {
    if (llmd == null || llmd.getMetadata() == null) {
      throw new IllegalArgumentException("LLMDeployment or its metadata is missing");
    }
    return llmd.getMetadata();
  }
}
