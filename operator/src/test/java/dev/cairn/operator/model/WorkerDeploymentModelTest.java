package dev.cairn.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.KvCacheDtype;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules behind the golden files, stated one by one. */
class WorkerDeploymentModelTest {
  private final WorkerDeploymentModel model =
      new WorkerDeploymentModel(WorkerSettings.defaults("cairn-worker:0.1.0"));

  private static Container worker(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  @Test
  void cpuRequestsNoGpuHasNoGpuPlacementAndMaySurge() {
    Deployment d = model.desired(Golden.fixture("cpu"), 1);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(worker(d).getResources().getLimits()).isNullOrEmpty();
    assertThat(pod.getAffinity()).isNull();
    assertThat(pod.getTolerations()).isEmpty();
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
  }

  @Test
  void gpuGetsLimitsProductAffinityTolerationAndNoSurge() {
    Deployment d = model.desired(Golden.fixture("pvc"), 3);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(worker(d).getResources().getLimits().get(CairnNames.GPU_RESOURCE).toString())
        .isEqualTo("1");
    var term =
        pod.getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    assertThat(term).hasSize(1);
    assertThat(term.get(0).getMatchExpressions().get(0).getValues())
        .containsExactly("NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe");
    assertThat(pod.getTolerations()).anyMatch(t -> CairnNames.GPU_RESOURCE.equals(t.getKey()));
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void pvcSourceMountsTheClaimReadOnly() {
    Deployment d = model.desired(Golden.fixture("pvc"), 1);
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v ->
                v.getPersistentVolumeClaim() != null
                    && v.getPersistentVolumeClaim().getClaimName().equals("model-store")
                    && v.getPersistentVolumeClaim().getReadOnly());
    assertThat(worker(d).getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/mnt/models/model-store") && m.getReadOnly());
  }

  @Test
  void loraClaimsAreMountedReadOnlyOnceEachAndStayInTheWorkerConfig() throws Exception {
    Deployment d = model.desired(Golden.fixture("lora"), 1);
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(v -> v.getName() + "=" + v.getPersistentVolumeClaim().getClaimName())
        .containsExactly(
            "model-pvc=model-store", "lora-pvc-1=lora-store", "lora-pvc-2=dynamic-loras");
    assertThat(worker(d).getVolumeMounts())
        .filteredOn(m -> m.getMountPath().startsWith("/mnt/models/"))
        .allMatch(m -> Boolean.TRUE.equals(m.getReadOnly()))
        .hasSize(3);
    JsonNode config = new ObjectMapper().readTree(env(worker(d), CairnNames.ENV_CONFIG));
    assertThat(config.at("/lora/adapters/1/source").asText()).isEqualTo("pvc://lora-store/chat");
    assertThat(config.at("/lora/dynamicLoadingPath").asText())
        .isEqualTo("pvc://dynamic-loras/adapters");
    assertThat(config.at("/lora/runtimeUpdates").asBoolean()).isTrue();
  }

  @Test
  void workerConfigIsTheSpecWithoutOperatorOnlyFields() throws Exception {
    LLMDeployment llmd = Golden.fixture("a10g");
    JsonNode config =
        new ObjectMapper().readTree(env(worker(model.desired(llmd, 2)), CairnNames.ENV_CONFIG));
    assertThat(config.at("/model/id").asText()).isEqualTo("qwen-0.5b");
    assertThat(config.at("/model/source").asText())
        .isEqualTo("hf://Qwen/Qwen2.5-0.5B-Instruct@main");
    assertThat(config.at("/logEngineMetrics").asBoolean()).isFalse();
    assertThat(config.at("/engine/maxModelLen").asInt(-1)).isZero();
    assertThat(config.has("replicas")).isFalse();
    assertThat(config.has("autoscaling")).isFalse();
    assertThat(config.has("monitoring")).isFalse();
  }

  @Test
  void theKvCacheDtypeReachesTheWorkerOnlyWhenSet() throws Exception {
    LLMDeployment llmd = Golden.fixture("a10g");
    JsonNode unset =
        new ObjectMapper().readTree(env(worker(model.desired(llmd, 1)), CairnNames.ENV_CONFIG));
    assertThat(unset.at("/engine").has("kvCacheDtype")).isFalse(); // the worker's float32
    llmd.getSpec().getEngine().setKvCacheDtype(KvCacheDtype.BFLOAT16);
    JsonNode set =
        new ObjectMapper().readTree(env(worker(model.desired(llmd, 1)), CairnNames.ENV_CONFIG));
    assertThat(set.at("/engine/kvCacheDtype").asText()).isEqualTo("bfloat16");
  }

  @Test
  void scalingDoesNotTouchThePodTemplate() {
    LLMDeployment llmd = Golden.fixture("a10g");
    assertThat(model.desired(llmd, 1).getSpec().getTemplate())
        .isEqualTo(model.desired(llmd, 4).getSpec().getTemplate());
  }

  @Test
  void userEnvReplacesOursAndOurSelectorLabelsWin() {
    Deployment d = model.desired(Golden.fixture("overrides"), 2);
    Container c = worker(d);
    assertThat(env(c, CairnNames.ENV_MODEL_CACHE)).isEqualTo("/var/cache/cairn/custom");
    assertThat(c.getEnv().stream().filter(e -> e.getName().equals(CairnNames.ENV_MODEL_CACHE)))
        .hasSize(1);
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(labels)
        .containsEntry(CairnNames.LABEL_INSTANCE, "tuned")
        .containsEntry("team", "search");
    // A user's nvidia.com/gpu request never overrides accelerator.count.
    assertThat(c.getResources().getRequests().get(CairnNames.GPU_RESOURCE).toString())
        .isEqualTo("1");
    assertThat(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isEqualTo(120L);
  }

  @Test
  void labelValuesAreSanitised() {
    assertThat(WorkerLabels.labelValue("Qwen/Qwen2.5-0.5B-Instruct"))
        .isEqualTo("Qwen_Qwen2.5-0.5B-Instruct");
    assertThat(WorkerLabels.labelValue("-x-".repeat(40))).hasSizeLessThanOrEqualTo(63);
    assertThat(ModelSource.claim("pvc://store/a/b")).contains("store");
    assertThat(ModelSource.claim("hf://a/b")).isEmpty();
    assertThat(List.of(WorkerLabels.selectorString("n")))
        .containsExactly("app.kubernetes.io/name=cairn-worker,app.kubernetes.io/instance=n");
  }
}
