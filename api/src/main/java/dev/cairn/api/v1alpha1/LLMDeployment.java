package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.cairn.api.CairnNames;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A large language model served by Cairn worker replicas, scaled on load and monitored. */
@Group(CairnNames.GROUP)
@Version(CairnNames.VERSION)
@Kind(CairnNames.KIND)
@Plural(CairnNames.PLURAL)
@ShortNames(CairnNames.SHORT_NAME)
@JsonClassDescription(
    "A large language model served by Cairn worker replicas, scaled on load and monitored.")
@AdditionalPrinterColumn(name = "Model", jsonPath = ".status.model", priority = 0)
@AdditionalPrinterColumn(name = "Accelerator", jsonPath = ".spec.accelerator.type")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready")
@AdditionalPrinterColumn(
    name = "Min",
    jsonPath = ".spec.autoscaling.minReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Max",
    jsonPath = ".spec.autoscaling.maxReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class LLMDeployment extends CustomResource<LLMDeploymentSpec, LLMDeploymentStatus>
    implements Namespaced {

  @Override
  @JsonPropertyDescription(
      "The model, accelerator, replicas or autoscaling, engine settings, monitoring and worker"
          + " pod overrides.")
  public LLMDeploymentSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription(
      "Observed state: replica counts, the endpoint and Ready, Progressing and Degraded"
          + " conditions.")
  public LLMDeploymentStatus getStatus() {
    return super.getStatus();
  }

  /** The model id clients send as "model": spec.model.id, or the resource's name. */
  public String effectiveModelId() {
    ModelSpec model = getSpec() == null ? null : getSpec().getModel();
    String id = model == null ? null : model.getId();
    return id == null || id.isBlank() ? getMetadata().getName() : id;
  }
}
