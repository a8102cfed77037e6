package dev.cairn.worker.loading;

import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The LoRA adapters {@link EngineWarmup} runs. The declared adapters are leased while it runs;
 * their device copies stay, as after a first request (declared adapters are never evicted). Where
 * LoRA is on but nothing is declared (adapters come through {@code dynamicLoadingPath} or the
 * runtime API), an adapter of zeros stands in for them and is freed afterwards.
 */
final class WarmupAdapters implements AutoCloseable {

  /**
   * Rank of the stand-in: the kernels loop over the rank, so a small one compiles the same code,
   * and it keeps the stand-in's bytes small (about 200 MB on a 70B-shaped model at rank 8).
   */
  static final int STAND_IN_RANK = 8;

  private final List<AdapterLease> leases;
  private final LoraWeights standIn;
  private final Consumer<LoraWeights> release;

  private WarmupAdapters(
      List<AdapterLease> leases, LoraWeights standIn, Consumer<LoraWeights> release) {
    this.leases = leases;
    this.standIn = standIn;
    this.release = release;
  }

  /**
   * The adapters to warm up.
   *
   * @param registry the loaded adapters (the declared ones at start), or null without spec.lora
   * @param spec spec.lora, or null
   * @param base the base model, which the stand-in fits
   * @param baseDtype the base weights' dtype: the stand-in is BF16 beside BF16 weights, else F32
   * @param release frees the stand-in's device copies
   */
  static WarmupAdapters of(
      AdapterRegistry registry,
      LoraSpec spec,
      ModelConfig base,
      DType baseDtype,
      Consumer<LoraWeights> release) {
    if (registry == null || spec == null) {
      return new WarmupAdapters(List.of(), null, release);
    }
    List<AdapterLease> leases = new ArrayList<>();
    for (String name : registry.names()) {
      leases.add(registry.acquireLoaded(name));
    }
    LoraWeights standIn = null;
    if (leases.isEmpty()
        && (spec.getDynamicLoadingPath() != null || spec.runtimeUpdatesEnabled())) {
      standIn =
          LoraWeights.zeros(
              "warm-up stand-in",
              base,
              Math.min(STAND_IN_RANK, spec.effectiveMaxLoraRank()),
              baseDtype == DType.BF16 ? DType.BF16 : DType.F32);
    }
    return new WarmupAdapters(leases, standIn, release);
  }

  /** The adapters' weights, declared order, or the stand-in alone; empty without LoRA. */
  List<LoraWeights> weights() {
    if (standIn != null) {
      return List.of(standIn);
    }
    return leases.stream().map(AdapterLease::weights).toList();
  }

  /** Closes the leases and frees the stand-in's device copies. */
  @Override
  public void close() {
    leases.forEach(AdapterLease::close);
    if (standIn != null) {
      release.accept(standIn);
    }
  }
}
