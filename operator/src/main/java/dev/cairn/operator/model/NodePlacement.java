package dev.cairn.operator.model;

import dev.cairn.api.CairnNames;
import dev.cairn.api.v1alpha1.AcceleratorSpec;
import dev.cairn.api.v1alpha1.WorkerSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeAffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where worker pods may run and what they request: GPU limits, GPU product node affinity and the
 * GPU taint toleration, merged with the user's own placement from {@code spec.worker}.
 */
final class NodePlacement {
  private final AcceleratorSpec accelerator;
  private final WorkerSpec worker;
  private final List<String> products;

  NodePlacement(AcceleratorSpec accelerator, WorkerSpec worker, WorkerSettings settings) {
    this.accelerator = accelerator;
    this.worker = worker == null ? new WorkerSpec() : worker;
    this.products = accelerator.isCpu() ? List.of() : settings.products(accelerator.getType());
  }

  boolean gpu() {
    return !accelerator.isCpu();
  }

  int gpuCount() {
    return accelerator.getCount() == null ? 1 : accelerator.getCount();
  }

  /** The user's resources with {@code nvidia.com/gpu} set to the accelerator count on GPUs. */
  ResourceRequirements resources() {
    ResourceRequirements user = worker.getResources();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    Map<String, Quantity> requests = new LinkedHashMap<>();
    if (user != null) {
      copyWithoutGpu(user.getLimits(), limits);
      copyWithoutGpu(user.getRequests(), requests);
    }
    if (gpu()) {
      // Extended resources cannot be overcommitted: the request must equal the limit.
      Quantity gpus = new Quantity(Integer.toString(gpuCount()));
      limits.put(CairnNames.GPU_RESOURCE, gpus);
      requests.put(CairnNames.GPU_RESOURCE, gpus);
    }
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    if (!limits.isEmpty()) {
      b.withLimits(limits);
    }
    if (!requests.isEmpty()) {
      b.withRequests(requests);
    }
    return b.build();
  }

  /** The user's tolerations, plus the one for the NVIDIA device plugin's taint on GPU nodes. */
  List<Toleration> tolerations() {
    List<Toleration> out = new ArrayList<>(nullSafe(worker.getTolerations()));
    boolean present = out.stream().anyMatch(t -> CairnNames.GPU_RESOURCE.equals(t.getKey()));
    if (gpu() && !present) {
      out.add(
          new TolerationBuilder()
              .withKey(CairnNames.GPU_RESOURCE)
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build());
    }
    return out;
  }

  /** The user's node selector (copied, never the spec's own map). */
  Map<String, String> nodeSelector() {
    return new LinkedHashMap<>(
        worker.getNodeSelector() == null ? Map.of() : worker.getNodeSelector());
  }

  /**
   * The user's affinity with the GPU product requirement added. Required node selector terms are
   * ORed by the scheduler, so the product requirement is ANDed into every one of them.
   */
  Affinity affinity() {
    Affinity user = worker.getAffinity();
    if (products.isEmpty()) {
      return user == null ? null : new AffinityBuilder(user).build();
    }
    NodeSelectorRequirement product =
        new NodeSelectorRequirementBuilder()
            .withKey(CairnNames.GPU_PRODUCT_LABEL)
            .withOperator("In")
            .withValues(products)
            .build();
    AffinityBuilder affinity = user == null ? new AffinityBuilder() : new AffinityBuilder(user);
    NodeAffinity userNode = user == null ? null : user.getNodeAffinity();
    NodeAffinityBuilder node =
        userNode == null ? new NodeAffinityBuilder() : new NodeAffinityBuilder(userNode);
    List<NodeSelectorTerm> terms = new ArrayList<>();
    if (userNode != null && userNode.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      terms.addAll(
          nullSafe(
              userNode.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()));
    }
    if (terms.isEmpty()) {
      terms.add(new NodeSelectorTerm());
    }
    List<NodeSelectorTerm> merged =
        terms.stream()
            .map(
                t ->
                    new NodeSelectorTermBuilder(t)
                        .withMatchExpressions(append(t.getMatchExpressions(), product))
                        .build())
            .toList();
    node.withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(merged)
        .endRequiredDuringSchedulingIgnoredDuringExecution();
    return affinity.withNodeAffinity(node.build()).build();
  }

  private static void copyWithoutGpu(Map<String, Quantity> from, Map<String, Quantity> to) {
    if (from != null) {
      from.forEach(
          (k, v) -> {
            if (!CairnNames.GPU_RESOURCE.equals(k)) {
              to.put(k, v);
            }
          });
    }
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> out = new ArrayList<>(nullSafe(list));
    out.add(item);
    return out;
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
