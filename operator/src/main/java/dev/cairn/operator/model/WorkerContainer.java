package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.api.v1alpha1.LLMDeploymentSpec;
import dev.cairn.api.v1alpha1.SecretKeyRef;
import dev.cairn.api.v1alpha1.WorkerSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The worker container: image, the operator → worker env contract, probes and hardening. */
final class WorkerContainer {
  static final String NAME = "worker";

  /**
   * Model loading (download, memory-mapping, upload to the GPU) can take many minutes: the startup
   * probe allows 180 × 10 s = 30 minutes before the kubelet gives up.
   */
  static final int STARTUP_PERIOD_SECONDS = 10;

  static final int STARTUP_FAILURE_THRESHOLD = 180;

  private WorkerContainer() {}

  static Container build(
      LLMDeployment llmd,
      WorkerSettings settings,
      NodePlacement placement,
      List<VolumeMount> mounts) {
    LLMDeploymentSpec spec = llmd.getSpec();
    WorkerSpec worker = spec.getWorker() == null ? new WorkerSpec() : spec.getWorker();
    String image =
        worker.getImage() == null || worker.getImage().isBlank()
            ? settings.defaultImage()
            : worker.getImage();
    return new ContainerBuilder()
        .withName(NAME)
        .withImage(image)
        .withImagePullPolicy(worker.getImagePullPolicy())
        .addNewPort()
        .withName(CairnNames.PORT_NAME)
        .withContainerPort(CairnNames.PORT)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env(llmd, worker))
        .withResources(placement.resources())
        .withVolumeMounts(mounts)
        .withStartupProbe(
            probe(CairnNames.PATH_STARTED, STARTUP_PERIOD_SECONDS, STARTUP_FAILURE_THRESHOLD))
        .withReadinessProbe(probe(CairnNames.PATH_READY, 5, 3))
        .withLivenessProbe(probe(CairnNames.PATH_LIVE, 10, 6))
        .withNewLifecycle()
        // Endpoints controllers and kube-proxy need a moment to stop routing to a terminating
        // pod; sleeping first means the worker's SIGTERM drain sees no new requests.
        .withNewPreStop()
        .withNewExec()
        .withCommand("sleep", Integer.toString(settings.preStopSleepSeconds()))
        .endExec()
        .endPreStop()
        .endLifecycle()
        .withSecurityContext(securityContext())
        .build();
  }

  private static List<EnvVar> env(LLMDeployment llmd, WorkerSpec worker) {
    // Keyed by name so a user's env entry replaces ours instead of duplicating it.
    Map<String, EnvVar> env = new LinkedHashMap<>();
    put(env, plain(CairnNames.ENV_CONFIG, WorkerConfigJson.render(llmd)));
    put(env, plain(CairnNames.ENV_MODEL_CACHE, CairnNames.MODEL_CACHE_PATH));
    // Native libraries that extract themselves must land on a writable emptyDir (stack.md 14).
    put(env, plain("DJL_CACHE_DIR", CairnNames.TMP_PATH + "/djl"));
    put(env, plain("ENGINE_CACHE_DIR", CairnNames.TMP_PATH + "/djl"));
    put(env, plain("HOME", CairnNames.TMP_PATH));
    SecretKeyRef hf = llmd.getSpec().getModel().getCredentialsSecretRef();
    if (hf != null) {
      put(env, secret(CairnNames.ENV_HF_TOKEN, hf));
    }
    SecretKeyRef apiKey = llmd.getSpec().getApiKeySecretRef();
    if (apiKey != null) {
      put(env, secret(CairnNames.ENV_API_KEY, apiKey));
    }
    if (worker.getEnv() != null) {
      worker.getEnv().forEach(e -> put(env, new EnvVarBuilder(e).build()));
    }
    return new ArrayList<>(env.values());
  }

  private static void put(Map<String, EnvVar> env, EnvVar var) {
    env.remove(var.getName());
    env.put(var.getName(), var);
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar secret(String name, SecretKeyRef ref) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(ref.getName())
        .withKey(ref.getKey())
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(CairnNames.PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(5)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static SecurityContext securityContext() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }
}
