package dev.cairn.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.v1alpha1.LLMDeployment;
import java.io.UncheckedIOException;

/**
 * Renders the spec into the worker's {@code CAIRN_CONFIG} env value: the same schema {@code make
 * run} reads from YAML.
 *
 * <p>Fields only the operator acts on (replica count, autoscaling bounds, monitoring) are left out:
 * they would otherwise sit in the pod template, and every scale step or dashboard tweak would
 * restart pods that spent minutes loading a model. The model id is filled in, so a worker never
 * needs the resource's name.
 */
public final class WorkerConfigJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_EMPTY)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private WorkerConfigJson() {}

  /** The worker's configuration as compact JSON. */
  public static String render(LLMDeployment llmd) {
    ObjectNode spec = MAPPER.valueToTree(llmd.getSpec());
    spec.remove("replicas");
    spec.remove("autoscaling");
    spec.remove("monitoring");
    spec.remove("worker");
    if (spec.get("model") instanceof ObjectNode model) {
      model.put("id", llmd.effectiveModelId());
    }
    try {
      return MAPPER.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
