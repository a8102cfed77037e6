package dev.cairn.worker.lora;

import dev.cairn.api.v1alpha1.LoraAdapterSpec;
import dev.cairn.api.v1alpha1.LoraSpec;
import dev.cairn.worker.lora.AdapterLoadException.Reason;
import dev.cairn.worker.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The adapters a worker serves. Declared adapters load at start and stay; others load on first use
 * from {@code spec.lora.dynamicLoadingPath/<name>} (Ray's dynamic loading), or through the runtime
 * API, which pins them until unloaded. Beyond {@code maxLoadedAdapters} the least recently used
 * idle dynamic adapter is evicted; an adapter with an open lease never is. Thread-safe: loading
 * runs outside the lock, so one slow download does not block requests for loaded adapters.
 */
public final class AdapterRegistry {

  /** How an adapter came to be loaded, which decides whether it may be evicted. */
  public enum Origin {
    DECLARED,
    RUNTIME,
    DYNAMIC
  }

  private static final Pattern NAME = Pattern.compile(LoraAdapterSpec.NAME_PATTERN);

  private final LoraSpec spec;
  private final ModelConfig base;
  private final AdapterLocator locator;
  private final Consumer<LoraWeights> onFreed;
  private final Map<String, Entry> loaded = new LinkedHashMap<>();
  private final Set<String> loading = new HashSet<>();
  private long nextId = 1;
  private long useClock;

  private AdapterRegistry(
      LoraSpec spec, ModelConfig base, AdapterLocator locator, Consumer<LoraWeights> onFreed) {
    this.spec = spec;
    this.base = base;
    this.locator = locator;
    this.onFreed = onFreed;
  }

  /**
   * Loads every declared adapter.
   *
   * @param onFreed called once an unloaded or evicted adapter has no open lease (free device copies
   *     there); runs on the thread that closed the last lease or unloaded it
   * @throws AdapterLoadException naming {@code spec.lora.adapters[i]} and the file at fault: the
   *     worker must not start
   */
  public static AdapterRegistry start(
      LoraSpec spec, ModelConfig base, AdapterLocator locator, Consumer<LoraWeights> onFreed) {
    AdapterRegistry r = new AdapterRegistry(spec, base, locator, onFreed);
    List<LoraAdapterSpec> declared = spec.declared();
    for (int i = 0; i < declared.size(); i++) {
      String field = "spec.lora.adapters[" + i + "]";
      LoraAdapterSpec a = declared.get(i);
      try {
        r.put(a.getName(), Origin.DECLARED, r.read(a.getName(), a.getSource(), field + ".source"));
      } catch (AdapterLoadException e) {
        throw new AdapterLoadException(
            e.reason(), field + " (" + a.getName() + "): " + e.getMessage(), e);
      }
    }
    return r;
  }

  /** Names of the loaded adapters, declared ones first (for /v1/models). */
  public synchronized List<String> names() {
    return List.copyOf(loaded.keySet());
  }

  /** How {@code name} was loaded, or empty when it is not loaded. */
  public synchronized Optional<Origin> origin(String name) {
    return Optional.ofNullable(loaded.get(name)).map(e -> e.origin);
  }

  /** Whether the runtime load/unload API is enabled (spec.lora.runtimeUpdates). */
  public boolean runtimeUpdatesEnabled() {
    return spec.runtimeUpdatesEnabled();
  }

  /**
   * A lease on {@code name}, loading it from the dynamic loading path when it is not loaded.
   *
   * @throws AdapterLoadException NOT_FOUND (unknown, no dynamic path), INVALID (broken adapter) or
   *     UNAVAILABLE (download failed, or every loaded adapter is pinned or in use)
   */
  public AdapterLease acquire(String name) {
    synchronized (this) {
      Entry e = loaded.get(name);
      if (e != null) {
        return e.lease();
      }
    }
    String path = spec.getDynamicLoadingPath();
    if (path == null || !NAME.matcher(name).matches()) {
      throw new AdapterLoadException(
          Reason.NOT_FOUND,
          "adapter '"
              + name
              + "' is not loaded"
              + (path == null ? " (no dynamicLoadingPath)" : ""));
    }
    String source = path.endsWith("/") ? path + name : path + "/" + name;
    return loadNew(name, source, "spec.lora.dynamicLoadingPath", Origin.DYNAMIC);
  }

  /**
   * Another lease on an adapter that is loaded now, never loading one (for the event loop).
   *
   * @throws AdapterLoadException NOT_FOUND when it was unloaded meanwhile
   */
  public AdapterLease acquireLoaded(String name) {
    synchronized (this) {
      Entry e = loaded.get(name);
      if (e != null) {
        return e.lease();
      }
    }
    throw new AdapterLoadException(Reason.NOT_FOUND, "adapter '" + name + "' was unloaded");
  }

  /**
   * Loads {@code name} from {@code source} and pins it (POST /v1/load_lora_adapter).
   *
   * @throws AdapterLoadException INVALID when the name is taken, malformed or the adapter broken
   */
  public void load(String name, String source) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw AdapterLoadException.invalid(
          "lora_name '" + name + "' must be 1-63 characters of a-z, 0-9, '-', '_' or '.'");
    }
    loadNew(name, source, "lora_path", Origin.RUNTIME);
  }

  /**
   * Unloads {@code name} (POST /v1/unload_lora_adapter); requests holding it finish first.
   *
   * @throws AdapterLoadException NOT_FOUND when not loaded, INVALID for a declared adapter
   */
  public void unload(String name) {
    Entry e;
    synchronized (this) {
      e = loaded.get(name);
      if (e == null) {
        throw new AdapterLoadException(Reason.NOT_FOUND, "adapter '" + name + "' is not loaded");
      }
      if (e.origin == Origin.DECLARED) {
        throw AdapterLoadException.invalid(
            "adapter '" + name + "' is declared in spec.lora.adapters; remove it from the spec");
      }
      loaded.remove(name);
    }
    e.retire();
  }

  /**
   * Loads a new adapter and, for a dynamic one, returns a lease taken under the same lock as the
   * insertion (so it cannot be evicted in between). Concurrent first uses of one dynamic adapter
   * wait for a single load.
   */
  private AdapterLease loadNew(String name, String source, String field, Origin origin) {
    List<Entry> evicted = new ArrayList<>();
    synchronized (this) {
      while (origin == Origin.DYNAMIC && loading.contains(name)) {
        awaitLoads();
      }
      Entry existing = loaded.get(name);
      if (existing != null && origin == Origin.DYNAMIC) {
        return existing.lease();
      }
      if (existing != null || loading.contains(name)) {
        throw AdapterLoadException.invalid(
            "adapter '" + name + "' is already " + (existing != null ? "loaded" : "loading"));
      }
      makeRoom(evicted);
      loading.add(name);
    }
    evicted.forEach(Entry::retire);
    try {
      LoraWeights w = read(name, source, field);
      synchronized (this) {
        Entry e = put(name, origin, w);
        return origin == Origin.DYNAMIC ? e.lease() : null;
      }
    } finally {
      synchronized (this) {
        loading.remove(name);
        notifyAll();
      }
    }
  }

  private void awaitLoads() {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdapterLoadException(Reason.UNAVAILABLE, "interrupted while an adapter loads", e);
    }
  }

  /** Evicts idle dynamic adapters (least recently used first) until one more fits. */
  private void makeRoom(List<Entry> evicted) {
    int max = spec.effectiveMaxLoadedAdapters();
    while (loaded.size() + loading.size() >= max) {
      Entry victim =
          loaded.values().stream()
              .filter(e -> e.origin == Origin.DYNAMIC && e.leases == 0)
              .min(Comparator.comparingLong(e -> e.lastUsed))
              .orElseThrow(
                  () ->
                      new AdapterLoadException(
                          Reason.UNAVAILABLE,
                          "all "
                              + max
                              + " adapter places (spec.lora.maxLoadedAdapters) are pinned or in"
                              + " use"));
      loaded.remove(victim.name);
      evicted.add(victim);
    }
  }

  private LoraWeights read(String name, String source, String field) {
    Path dir = locator.locate(source, field);
    return LoraWeights.load(name, dir, base, spec.effectiveMaxLoraRank());
  }

  private Entry put(String name, Origin origin, LoraWeights w) {
    Entry e = new Entry(name, origin, w, nextId++);
    loaded.put(name, e);
    return e;
  }

  /** One loaded adapter; leases and retirement are guarded by the registry's lock. */
  private final class Entry {
    final String name;
    final Origin origin;
    final LoraWeights weights;
    final long id;
    int leases;
    long lastUsed;
    boolean retired;

    Entry(String name, Origin origin, LoraWeights weights, long id) {
      this.name = name;
      this.origin = origin;
      this.weights = weights;
      this.id = id;
    }

    AdapterLease lease() {
      synchronized (AdapterRegistry.this) {
        leases++;
        lastUsed = ++useClock;
      }
      AtomicBoolean open = new AtomicBoolean(true);
      return new AdapterLease() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public long id() {
          return id;
        }

        @Override
        public LoraWeights weights() {
          return weights;
        }

        @Override
        public void close() {
          if (open.getAndSet(false)) {
            release();
          }
        }
      };
    }

    private void release() {
      boolean free;
      synchronized (AdapterRegistry.this) {
        leases--;
        free = retired && leases == 0;
      }
      if (free) {
        onFreed.accept(weights);
      }
    }

    /** Out of the map: freed now when idle, else when the last lease closes. */
    void retire() {
      boolean free;
      synchronized (AdapterRegistry.this) {
        retired = true;
        free = leases == 0;
      }
      if (free) {
        onFreed.accept(weights);
      }
    }
  }
}
