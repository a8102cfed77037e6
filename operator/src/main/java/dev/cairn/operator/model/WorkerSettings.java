package dev.cairn.operator.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operator-wide inputs of the model builders, kept free of Quarkus so builders stay pure and
 * testable without an application.
 *
 * @param defaultImage worker image when the spec names none
 * @param accelerators accelerator type to the {@code nvidia.com/gpu.product} values it stands for
 * @param defaultTerminationGracePeriodSeconds grace period when the spec sets none
 * @param preStopSleepSeconds how long the preStop hook waits before SIGTERM
 */
public record WorkerSettings(
    String defaultImage,
    Map<String, List<String>> accelerators,
    long defaultTerminationGracePeriodSeconds,
    int preStopSleepSeconds) {

  /** The accelerator map of design.md, used when the operator configures none. */
  public static final Map<String, List<String>> DEFAULT_ACCELERATORS = defaultAccelerators();

  public WorkerSettings {
    Objects.requireNonNull(defaultImage, "defaultImage");
    // Sorted, so that anything rendered from the map (messages, goldens) is stable.
    accelerators = Map.copyOf(new TreeMap<>(accelerators));
  }

  /** Settings with design.md's defaults and the given image. */
  public static WorkerSettings defaults(String image) {
    return new WorkerSettings(image, DEFAULT_ACCELERATORS, 60, 5);
  }

  /** GPU product label values for a type; empty for an unknown type. */
  public List<String> products(String acceleratorType) {
    return accelerators.getOrDefault(acceleratorType, List.of());
  }

  /** The accelerator types the operator can place, for the spec validator. */
  public Set<String> acceleratorTypes() {
    return accelerators.keySet();
  }

  private static Map<String, List<String>> defaultAccelerators() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("A10G", List.of("NVIDIA-A10G"));
    m.put("L4", List.of("NVIDIA-L4"));
    m.put("A100-40GB", List.of("NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIE-40GB"));
    m.put("A100-80GB", List.of("NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe"));
    m.put("H100", List.of("NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-PCIe"));
    m.put("H200", List.of("NVIDIA-H200"));
    return Map.copyOf(m);
  }
}
