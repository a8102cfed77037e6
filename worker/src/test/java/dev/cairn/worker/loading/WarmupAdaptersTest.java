package dev.cairn.worker.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.lora.AdapterLease;
import dev.cairn.worker.lora.AdapterLocator;
import dev.cairn.worker.lora.AdapterRegistry;
import dev.cairn.worker.lora.LoraPair;
import dev.cairn.worker.lora.LoraTarget;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.source.HubSettings;
import dev.cairn.worker.source.ModelResolver;
import dev.cairn.worker.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm-up's adapters: the declared ones, leased and kept; or, where adapters only come later, a
 * stand-in of zeros that runs through the LoRA kernels and is freed afterwards.
 */
class WarmupAdaptersTest {

  private static final Path ADAPTERS =
      TestModels.repoRoot().resolve("models/tiny-shakespeare-lora");

  @TempDir Path tmp;

  private final List<LoraWeights> released = new ArrayList<>();

  @Test
  void withoutLoraThereAreNone() throws Exception {
    try (WarmupAdapters a = WarmupAdapters.of(null, null, config(), DType.F32, released::add)) {
      assertThat(a.weights()).isEmpty();
    }
    assertThat(released).isEmpty();
  }

  @Test
  void theDeclaredAdaptersAreLeasedAndKept() throws Exception {
    LoraSpec spec = spec();
    spec.setAdapters(
        new ArrayList<>(
            List.of(
                new LoraAdapterSpec("shouty", "file:" + ADAPTERS.resolve("shouty")),
                new LoraAdapterSpec("plain", "file:" + ADAPTERS.resolve("plain")))));
    spec.setDynamicLoadingPath("file:" + ADAPTERS);
    AdapterRegistry registry = registry(spec);
    try (WarmupAdapters a = WarmupAdapters.of(registry, spec, config(), DType.F32, released::add)) {
      assertThat(a.weights()).extracting(LoraWeights::name).containsExactly("shouty", "plain");
    }
    assertThat(released).isEmpty();
    // The leases are closed: an unload of a runtime adapter would free it at once, and the
    // declared ones can still be leased.
    try (AdapterLease lease = registry.acquireLoaded("shouty")) {
      assertThat(lease.weights().name()).isEqualTo("shouty");
    }
  }

  /**
   * Adapters only from dynamicLoadingPath: a stand-in of zeros at rank min(8, maxLoraRank) on every
   * projection, in the base's dtype, which warm-up uploads and {@code close} frees.
   */
  @Test
  void aStandInRunsWhenAdaptersComeLaterAndIsFreedAfterwards() throws Exception {
    LoraSpec spec = spec();
    spec.setDynamicLoadingPath("file:" + ADAPTERS);
    spec.setMaxLoraRank(4);
    ModelConfig config = config();
    try (TransformerExecutor ex =
        HostWeights.load(TestModels.tinyShakespeare(), "auto")
            .executorOn(new CpuBackend(2, true), 8)) {
      WarmupAdapters a =
          WarmupAdapters.of(registry(spec), spec, config, DType.BF16, ex::releaseAdapter);
      assertThat(a.weights()).hasSize(1);
      LoraWeights standIn = a.weights().getFirst();
      assertThat(standIn.rank()).isEqualTo(4);
      for (int l = 0; l < config.numLayers(); l++) {
        for (LoraTarget t : LoraTarget.values()) {
          LoraPair p = standIn.pair(l, t);
          assertThat(p.a().dtype()).isEqualTo(DType.BF16);
          assertThat(p.a().shape()).containsExactly(4, t.inDim(config));
          assertThat(p.bT().shape()).containsExactly(4, t.outDim(config));
          assertThat(p.bT().segment().elements(java.lang.foreign.ValueLayout.JAVA_SHORT))
              .allMatch(e -> e.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 0) == 0);
        }
      }
      EngineWarmup.Report r = EngineWarmup.run(ex, 16, 512, ex.maxModelLen(), a.weights(), 4);
      assertThat(r.adapters()).containsExactly(standIn.name());
      assertThat(ex.adaptersOnDevice()).isEqualTo(1);
      a.close();
      assertThat(ex.adaptersOnDevice()).isZero();
    }
  }

  @Test
  void noStandInWhenNoAdapterCanCome() throws Exception {
    LoraSpec spec = spec();
    try (WarmupAdapters a =
        WarmupAdapters.of(registry(spec), spec, config(), DType.F32, released::add)) {
      assertThat(a.weights()).isEmpty();
    }
    assertThat(released).isEmpty();
  }

  private static LoraSpec spec() {
    LoraSpec spec = new LoraSpec();
    spec.setMaxLoraRank(8);
    return spec;
  }

  private AdapterRegistry registry(LoraSpec spec) throws Exception {
    ModelResolver resolver = new ModelResolver(HubSettings.fromEnv(Map.of()), tmp.resolve("none"));
    return AdapterRegistry.start(spec, config(), AdapterLocator.of(resolver), w -> {});
  }

  private static ModelConfig config() throws Exception {
    return ModelConfig.load(TestModels.tinyShakespeare());
  }
}
