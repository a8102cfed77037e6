package dev.cairn.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Overrides for the worker pods. */
@JsonClassDescription("Overrides for the worker pods.")
public class WorkerSpec {
  @JsonPropertyDescription("Worker image; defaults to the operator's CAIRN_WORKER_IMAGE.")
  private String image;

  @JsonPropertyDescription("Image pull policy: Always, IfNotPresent or Never.")
  private String imagePullPolicy;

  @JsonPropertyDescription(
      "CPU/memory requests and limits; nvidia.com/gpu is set from accelerator.count.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Extra node selector labels for the worker pods.")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Extra tolerations; the nvidia.com/gpu taint is tolerated automatically.")
  private List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription("Affinity; merged with the GPU product node affinity.")
  private Affinity affinity;

  @JsonPropertyDescription("Extra environment variables for the worker container.")
  private List<EnvVar> env = new ArrayList<>();

  @JsonPropertyDescription("Service account the worker pods run as.")
  private String serviceAccountName;

  @JsonPropertyDescription("Secrets for pulling the worker image.")
  private List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

  @JsonPropertyDescription("Extra labels on the worker pods.")
  private Map<String, String> podLabels = new LinkedHashMap<>();

  @JsonPropertyDescription("Extra annotations on the worker pods.")
  private Map<String, String> podAnnotations = new LinkedHashMap<>();

  @Min(1)
  @JsonPropertyDescription(
      "Seconds a stopping worker gets to finish in-flight requests (default 60).")
  private Long terminationGracePeriodSeconds;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getImagePullPolicy() {
    return imagePullPolicy;
  }

  public void setImagePullPolicy(String imagePullPolicy) {
    this.imagePullPolicy = imagePullPolicy;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }

  public Long getTerminationGracePeriodSeconds() {
    return terminationGracePeriodSeconds;
  }

  public void setTerminationGracePeriodSeconds(Long terminationGracePeriodSeconds) {
    this.terminationGracePeriodSeconds = terminationGracePeriodSeconds;
  }
}
