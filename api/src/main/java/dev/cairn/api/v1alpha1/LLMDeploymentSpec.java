package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** The desired state of an LLMDeployment; also the worker's whole configuration. */
@JsonClassDescription(
    "The desired state of an LLMDeployment; the worker reads the same document as its"
        + " configuration.")
@ValidationRule(
    value =
        "!has(self.lora) || !has(self.lora.adapters) || !has(self.model.id) ||"
            + " self.lora.adapters.all(a, a.name != self.model.id)",
    message = "lora.adapters names must differ from model.id")
@ValidationRule(
    value =
        "self.accelerator.type.lowerAscii() != 'cpu' || !has(self.engine)"
            + " || !has(self.engine.backend) || self.engine.backend != 'cuda'",
    message = LLMDeploymentSpec.CUDA_ON_CPU)
@ValidationRule(
    value =
        "!has(self.autoscaling) || !has(self.logEngineMetrics) || self.logEngineMetrics ||"
            + " (!has(self.autoscaling.targetWaitingRequests) &&"
            + " !has(self.autoscaling.targetKvCacheUsage))",
    message = AutoscalingSpec.ENGINE_SIGNAL_NEEDS_METRICS)
public class LLMDeploymentSpec {
  /** Why a cuda backend on a cpu accelerator is refused: the pod could only crash-loop. */
  public static final String CUDA_ON_CPU =
      "engine.backend cuda needs a GPU but accelerator.type is cpu: set engine.backend to cpu or"
          + " auto, or accelerator.type to a GPU type";

  @Required
  @JsonPropertyDescription("The model to serve.")
  private ModelSpec model;

  @Required
  @JsonPropertyDescription("The GPUs (or cpu) each replica runs on.")
  private AcceleratorSpec accelerator;

  @SpecReplicas
  @Min(0)
  @Default("1")
  @JsonPropertyDescription(
      "Replica count while spec.autoscaling is absent (kubectl scale, HPA and KEDA set it).")
  private Integer replicas = 1;

  @JsonPropertyDescription(
      "Load-based autoscaling between minReplicas and maxReplicas; when set, Cairn owns the"
          + " replica count.")
  private AutoscalingSpec autoscaling;

  @JsonPropertyDescription("Inference engine settings.")
  private EngineSpec engine = new EngineSpec();

  @Default("true")
  @JsonPropertyDescription(
      "Export vLLM-compatible engine metrics (vllm:*); false records nothing per step. Ray Serve:"
          + " log_engine_metrics.")
  private Boolean logEngineMetrics = true;

  @JsonPropertyDescription("Scraping, dashboard and alerts.")
  private MonitoringSpec monitoring = new MonitoringSpec();

  @JsonPropertyDescription(
      "Secret key holding an API key; the worker then requires Authorization: Bearer <key> on"
          + " /v1.")
  private SecretKeyRef apiKeySecretRef;

  @JsonPropertyDescription(
      "LoRA adapters served on top of the base model, each addressed by its name as \"model\".")
  private LoraSpec lora;

  @JsonPropertyDescription("Overrides for the worker pods.")
  private WorkerSpec worker = new WorkerSpec();

  public ModelSpec getModel() {
    return model;
  }

  public void setModel(ModelSpec model) {
    this.model = model;
  }

  public AcceleratorSpec getAccelerator() {
    return accelerator;
  }

  public void setAccelerator(AcceleratorSpec accelerator) {
    this.accelerator = accelerator;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public EngineSpec getEngine() {
    return engine;
  }

  public void setEngine(EngineSpec engine) {
    this.engine = engine;
  }

  public Boolean getLogEngineMetrics() {
    return logEngineMetrics;
  }

  public void setLogEngineMetrics(Boolean logEngineMetrics) {
    this.logEngineMetrics = logEngineMetrics;
  }

  public MonitoringSpec getMonitoring() {
    return monitoring;
  }

  public void setMonitoring(MonitoringSpec monitoring) {
    this.monitoring = monitoring;
  }

  public SecretKeyRef getApiKeySecretRef() {
    return apiKeySecretRef;
  }

  public void setApiKeySecretRef(SecretKeyRef apiKeySecretRef) {
    this.apiKeySecretRef = apiKeySecretRef;
  }

  public LoraSpec getLora() {
    return lora;
  }

  public void setLora(LoraSpec lora) {
    this.lora = lora;
  }

  public WorkerSpec getWorker() {
    return worker;
  }

  public void setWorker(WorkerSpec worker) {
    this.worker = worker;
  }

  /** True unless logEngineMetrics is explicitly false. */
  public boolean engineMetricsEnabled() {
    return logEngineMetrics == null || logEngineMetrics;
  }
}
