package dev.cairn.worker.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.lora.AdapterLoadException.Reason;
import dev.cairn.worker.lora.AdapterRegistry.Origin;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.source.HubSettings;
import dev.cairn.worker.source.ModelResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declared, dynamic and runtime adapters: loading, leases, LRU eviction and errors. */
class AdapterRegistryTest {
  private static final ModelConfig BASE = TestAdapters.base();

  @TempDir Path tmp;
  private Path dynamicDir;
  private final List<String> freed = new CopyOnWriteArrayList<>();
  private AdapterLocator locator;

  @BeforeEach
  void dynamicAdapters() throws IOException {
    dynamicDir = tmp.resolve("dynamic");
    for (String name : List.of("d1", "d2", "d3")) {
      TestAdapters.copy("plain", dynamicDir.resolve(name));
    }
    TestAdapters.copy("shouty", dynamicDir.resolve("too-big"));
    Path broken = TestAdapters.copy("plain", dynamicDir.resolve("broken"));
    TestAdapters.setConfigField(broken, "target_modules", "[\"lm_head\"]");
    ModelResolver resolver =
        new ModelResolver(HubSettings.fromEnv(Map.of()), tmp.resolve("no-claims"));
    locator = AdapterLocator.of(resolver);
  }

  private LoraSpec spec(int maxLoaded, LoraAdapterSpec... declared) {
    LoraSpec s = new LoraSpec();
    s.setAdapters(new ArrayList<>(List.of(declared)));
    s.setDynamicLoadingPath("file:" + dynamicDir);
    s.setMaxLoadedAdapters(maxLoaded);
    s.setMaxLorasPerBatch(1);
    s.setMaxLoraRank(4);
    return s;
  }

  private AdapterRegistry start(LoraSpec spec) {
    return AdapterRegistry.start(spec, BASE, locator, w -> freed.add(w.name()));
  }

  private static LoraAdapterSpec plain() {
    return new LoraAdapterSpec("plain", "file:" + TestAdapters.dir("plain"));
  }

  @Test
  void declaredAdaptersLoadAtStartAndServeLeases() {
    AdapterRegistry r = start(spec(3, plain()));
    assertThat(r.names()).containsExactly("plain");
    assertThat(r.origin("plain")).contains(Origin.DECLARED);
    try (AdapterLease lease = r.acquire("plain")) {
      assertThat(lease.weights().rank()).isEqualTo(4);
      assertThat(lease.name()).isEqualTo("plain");
    }
  }

  @Test
  void aBrokenDeclaredAdapterStopsTheStartNamingItsField() {
    LoraAdapterSpec shouty = new LoraAdapterSpec("shouty", "file:" + TestAdapters.dir("shouty"));
    assertThatThrownBy(() -> start(spec(3, plain(), shouty)))
        .isInstanceOf(AdapterLoadException.class)
        .hasMessageStartingWith("spec.lora.adapters[1] (shouty): ")
        .hasMessageContaining("r 8 exceeds spec.lora.maxLoraRank 4");
    LoraAdapterSpec missing = new LoraAdapterSpec("gone", "file:" + tmp.resolve("nothing"));
    assertThatThrownBy(() -> start(spec(3, missing)))
        .hasMessageStartingWith("spec.lora.adapters[0] (gone): spec.lora.adapters[0].source: ")
        .hasMessageContaining("does not exist");
  }

  @Test
  void dynamicAdaptersLoadOnFirstUseAndTheLeastRecentlyUsedIdleOneIsEvicted() {
    AdapterRegistry r = start(spec(3, plain()));
    AdapterLease d1 = r.acquire("d1");
    long firstId = d1.id();
    d1.close();
    r.acquire("d2").close();
    r.acquire("d1").close(); // d1 is now more recent than d2
    assertThat(r.names()).containsExactlyInAnyOrder("plain", "d1", "d2");
    r.acquire("d3").close();
    assertThat(r.names()).containsExactlyInAnyOrder("plain", "d1", "d3");
    assertThat(freed).containsExactly("d2");
    AdapterLease again = r.acquire("d1");
    assertThat(again.id()).isEqualTo(firstId);
    again.close();
  }

  @Test
  void anAdapterInUseIsNeverEvictedAndIsFreedAfterItsLastLease() {
    AdapterRegistry r = start(spec(2, plain()));
    AdapterLease d1 = r.acquire("d1");
    assertThatThrownBy(() -> r.acquire("d2"))
        .isInstanceOf(AdapterLoadException.class)
        .hasMessageContaining("pinned or in use")
        .extracting(e -> ((AdapterLoadException) e).reason())
        .isEqualTo(Reason.UNAVAILABLE);
    r.unload("d1");
    assertThat(r.names()).containsExactly("plain");
    assertThat(freed).isEmpty();
    assertThat(d1.weights().rank()).isEqualTo(4); // still usable by its request
    d1.close();
    d1.close();
    assertThat(freed).containsExactly("d1");
  }

  @Test
  void unknownBrokenAndTooLargeDynamicAdaptersFailWithTheirReason() {
    AdapterRegistry r = start(spec(4));
    assertReason(() -> r.acquire("nope"), Reason.NOT_FOUND, "does not exist");
    assertReason(() -> r.acquire("Not:A-Name"), Reason.NOT_FOUND, "is not loaded");
    assertReason(() -> r.acquire("broken"), Reason.INVALID, "unknown module 'lm_head'");
    assertReason(() -> r.acquire("too-big"), Reason.INVALID, "r 8 exceeds");
    assertThat(r.names()).isEmpty();
    r.acquire("d1").close(); // the failed loads left their places free
  }

  @Test
  void withoutADynamicPathOnlyLoadedAdaptersAreServed() {
    LoraSpec s = spec(3, plain());
    s.setDynamicLoadingPath(null);
    AdapterRegistry r = start(s);
    assertReason(() -> r.acquire("d1"), Reason.NOT_FOUND, "no dynamicLoadingPath");
  }

  @Test
  void runtimeLoadsArePinnedAndDeclaredAdaptersCannotBeUnloaded() {
    AdapterRegistry r = start(spec(3, plain()));
    r.load("sql", "file:" + dynamicDir.resolve("d2"));
    assertThat(r.origin("sql")).contains(Origin.RUNTIME);
    try (AdapterLease d1 = r.acquire("d1")) {
      assertReason(() -> r.acquire("d3"), Reason.UNAVAILABLE, "pinned or in use");
    }
    r.acquire("d3").close(); // evicts the now idle d1, never the pinned sql
    assertThat(r.names()).containsExactlyInAnyOrder("plain", "sql", "d3");
    assertReason(
        () -> r.load("sql", "file:" + dynamicDir.resolve("d3")), Reason.INVALID, "already loaded");
    assertReason(() -> r.load("Bad Name", "file:x"), Reason.INVALID, "lora_name 'Bad Name'");
    assertReason(() -> r.unload("plain"), Reason.INVALID, "declared in spec.lora.adapters");
    assertReason(() -> r.unload("none"), Reason.NOT_FOUND, "is not loaded");
    r.unload("sql");
    assertThat(freed).contains("sql");
  }

  private static void assertReason(Runnable call, Reason reason, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOf(AdapterLoadException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((AdapterLoadException) e).reason())
        .isEqualTo(reason);
  }
}
