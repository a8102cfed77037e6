package dev.cairn.operator.model;

import dev.cairn.api.v1alpha1.LLMDeployment;
import dev.cairn.operator.status.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The EndpointSlice of a deployment that scales to zero, against golden YAML: ready workers on the
 * worker port while it has any, the activator's pods on its activator port at zero.
 */
class WorkerEndpointSliceModelTest {
  private static final List<String> ACTIVATORS = List.of("10.0.9.4", "10.0.9.5");
  private static final int ACTIVATOR_PORT = 10003;

  @Test
  void atZeroTheSliceListsTheActivatorPodsOnTheDeploymentsPort() {
    Golden.assertMatches(
        WorkerEndpointSliceModel.desired(fixture(), List.of(), ACTIVATORS, ACTIVATOR_PORT),
        "to-zero-endpointslice-activator");
  }

  @Test
  void withReadyWorkersTheSliceListsThemAndNotTheActivator() {
    List<Pod> ready =
        List.of(worker("tiny-idle-7d9f-a", "10.0.1.7"), worker("tiny-idle-7d9f-b", "10.0.2.3"));
    Golden.assertMatches(
        WorkerEndpointSliceModel.desired(fixture(), ready, ACTIVATORS, ACTIVATOR_PORT),
        "to-zero-endpointslice-workers");
  }

  @Test
  void atZeroWithNoReadyActivatorTheSliceIsEmpty() {
    Golden.assertMatches(
        WorkerEndpointSliceModel.desired(fixture(), List.of(), List.of(), ACTIVATOR_PORT),
        "to-zero-endpointslice-empty");
  }

  private static LLMDeployment fixture() {
    return Golden.fixture("to-zero");
  }

  private static Pod worker(String name, String ip) {
    Pod pod = TestPods.ready(name, "tiny-idle", ip);
    pod.getMetadata().setNamespace("demo");
    pod.getMetadata().setUid("uid-" + name);
    return pod;
  }
}
