package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.ResourceNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.WorkerSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The worker Deployment of an LLMDeployment, computed without any API call. */
public final class WorkerDeploymentModel {
  /** The uid and gid the worker image runs as. */
  public static final long WORKER_UID = 1000L;

  private static final String VOLUME_TMP = "tmp";
  private static final String VOLUME_CACHE = "model-cache";
  private static final String VOLUME_PVC = "model-pvc";
  private static final String VOLUME_LORA_PVC = "lora-pvc-";

  private final WorkerSettings settings;

  public WorkerDeploymentModel(WorkerSettings settings) {
    this.settings = settings;
  }

  /**
   * The desired Deployment.
   *
   * @param llmd a spec that passed validation
   * @param replicas the replica count to run now (spec, or the autoscaler's decision)
   */
  public Deployment desired(LLMDeployment llmd, int replicas) {
    String name = llmd.getMetadata().getName();
    WorkerSpec worker =
        llmd.getSpec().getWorker() == null ? new WorkerSpec() : llmd.getSpec().getWorker();
    NodePlacement placement = new NodePlacement(llmd.getSpec().getAccelerator(), worker, settings);
    Map<String, String> podLabels = new LinkedHashMap<>(nullSafe(worker.getPodLabels()));
    podLabels.putAll(WorkerLabels.common(llmd)); // ours win: the selector depends on them
    return new DeploymentBuilder()
        .withMetadata(metadata(llmd, ResourceNames.deployment(name)))
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(WorkerLabels.selector(name))
        .endSelector()
        .withStrategy(strategy(placement.gpu()))
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(new LinkedHashMap<>(nullSafe(worker.getPodAnnotations())))
        .endMetadata()
        .withSpec(podSpec(llmd, worker, placement))
        .endTemplate()
        .endSpec()
        .build();
  }

  /** Metadata with the common labels and a controller owner reference to the LLMDeployment. */
  static ObjectMeta metadata(LLMDeployment llmd, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(llmd.getMetadata().getNamespace())
        .withLabels(WorkerLabels.common(llmd))
        .withOwnerReferences(ownerReference(llmd))
        .build();
  }

  static OwnerReference ownerReference(LLMDeployment llmd) {
    return new OwnerReferenceBuilder()
        .withApiVersion(llmd.getApiVersion())
        .withKind(llmd.getKind())
        .withName(llmd.getMetadata().getName())
        .withUid(llmd.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /**
   * GPUs are scarce: a surge pod would wait for a GPU that only the pod it replaces frees, so GPU
   * rollouts replace one pod at a time without surge. CPU rollouts surge and keep capacity.
   */
  static DeploymentStrategy strategy(boolean gpu) {
    return new DeploymentStrategyBuilder()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString(gpu ? 0 : 1))
        .withMaxUnavailable(new IntOrString(gpu ? 1 : 0))
        .endRollingUpdate()
        .build();
  }

  private PodSpec podSpec(LLMDeployment llmd, WorkerSpec worker, NodePlacement placement) {
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(emptyDir(VOLUME_TMP));
    mounts.add(mount(VOLUME_TMP, CairnNames.TMP_PATH, false));
    volumes.add(emptyDir(VOLUME_CACHE));
    mounts.add(mount(VOLUME_CACHE, CairnNames.MODEL_CACHE_PATH, false));
    List<String> claims = ModelSource.claims(llmd.getSpec());
    for (int i = 0; i < claims.size(); i++) {
      // The model's claim keeps its volume name; claims only adapters use are numbered.
      String volume =
          i == 0 && ModelSource.claim(llmd.getSpec().getModel().getSource()).isPresent()
              ? VOLUME_PVC
              : VOLUME_LORA_PVC + i;
      volumes.add(claimVolume(volume, claims.get(i)));
      mounts.add(mount(volume, CairnNames.PVC_MOUNT_ROOT + "/" + claims.get(i), true));
    }
    long grace =
        worker.getTerminationGracePeriodSeconds() != null
            ? worker.getTerminationGracePeriodSeconds()
            : settings.defaultTerminationGracePeriodSeconds();
    return new PodSpecBuilder()
        .withServiceAccountName(worker.getServiceAccountName())
        .withImagePullSecrets(new ArrayList<>(nullSafe(worker.getImagePullSecrets())))
        .withTerminationGracePeriodSeconds(grace)
        .withSecurityContext(
            new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(WORKER_UID)
                .withRunAsGroup(WORKER_UID)
                .withFsGroup(WORKER_UID)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .withNodeSelector(placement.nodeSelector())
        .withTolerations(placement.tolerations())
        .withAffinity(placement.affinity())
        .withContainers(WorkerContainer.build(llmd, settings, placement, mounts))
        .withVolumes(volumes)
        .build();
  }

  private static Volume claimVolume(String name, String claim) {
    return new VolumeBuilder()
        .withName(name)
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .withReadOnly(true)
        .endPersistentVolumeClaim()
        .build();
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    VolumeMountBuilder b = new VolumeMountBuilder().withName(name).withMountPath(path);
    if (readOnly) {
      b.withReadOnly(true);
    }
    return b.build();
  }

  private static <K, V> Map<K, V> nullSafe(Map<K, V> m) {
    return m == null ? Map.of() : m;
  }

  private static <T> List<T> nullSafe(List<T> l) {
    return l == null ? List.of() : l;
  }
}
