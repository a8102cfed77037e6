package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed. */
@JsonClassDescription("What the operator observed of the deployment.")
public class LLMDeploymentStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("The model id clients send as \"model\".")
  private String model;

  @StatusReplicas
  @JsonPropertyDescription("Worker pods that exist (the scale subresource's replicas).")
  private Integer replicas;

  @JsonPropertyDescription("Worker pods with the model loaded and ready to serve.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Replicas wanted now: spec.replicas, or the autoscaler's decision.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("Ready replicas over desired ones, as \"1/2\".")
  private String ready;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the worker pods (for the scale subresource).")
  private String selector;

  @JsonPropertyDescription("OpenAI base URL inside the cluster.")
  private String endpoint;

  @JsonPropertyDescription("LoRA adapters declared in spec.lora.adapters.")
  private Integer loraAdapters;

  @JsonPropertyDescription("When the autoscaler last changed the replica count (RFC 3339).")
  private String lastScaleTime;

  @JsonPropertyDescription(
      "Ready, Progressing, Degraded, ScalingActive and MonitoringReady conditions.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getModel() {
    return model;
  }

  public void setModel(String model) {
    this.model = model;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public String getReady() {
    return ready;
  }

  public void setReady(String ready) {
    this.ready = ready;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public Integer getLoraAdapters() {
    return loraAdapters;
  }

  public void setLoraAdapters(Integer loraAdapters) {
    this.loraAdapters = loraAdapters;
  }

  public String getLastScaleTime() {
    return lastScaleTime;
  }

  public void setLastScaleTime(String lastScaleTime) {
    this.lastScaleTime = lastScaleTime;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
