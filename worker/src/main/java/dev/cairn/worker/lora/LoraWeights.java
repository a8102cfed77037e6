package dev.cairn.worker.lora;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.model.safetensors.SafetensorsFile;
import dev.cairn.worker.model.safetensors.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEFT adapter's A/B matrices for one base model, checked against its shapes and copied in the
 * checkpoint's dtype (the file is closed after loading), with the scale precomputed. BF16 and F16
 * stay 16-bit: an adapter saved beside a BF16 base is usually BF16, and widening it would double
 * the adapter bytes every decode step streams.
 */
public final class LoraWeights {

  /** The file PEFT writes. */
  public static final String FILE = "adapter_model.safetensors";

  // PEFT's names: base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight
  private static final Pattern NAME =
      Pattern.compile(
          "(?:base_model\\.model\\.)?model\\.layers\\.(\\d+)\\.(\\w+)\\.(\\w+)\\.lora_([AB])\\.weight");

  private static final ValueLayout.OfInt BITS32 = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfShort BITS16 = ValueLayout.JAVA_SHORT_UNALIGNED;

  private final String name;
  private final AdapterConfig config;
  private final LoraPair[][] pairs; // [layer][LoraTarget.ordinal()], null where not adapted

  private LoraWeights(String name, AdapterConfig config, LoraPair[][] pairs) {
    this.name = name;
    this.config = config;
    this.pairs = pairs;
  }

  /**
   * Reads and checks the adapter in {@code dir}.
   *
   * @param name the adapter's name (for messages)
   * @param base the base model's config, which every shape must fit
   * @param maxRank spec.lora.maxLoraRank
   * @throws AdapterLoadException (INVALID) naming the file and the field or tensor at fault
   */
  public static LoraWeights load(String name, Path dir, ModelConfig base, int maxRank) {
    AdapterConfig config = AdapterConfig.read(dir, maxRank);
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      boolean binOnly = Files.isRegularFile(dir.resolve("adapter_model.bin"));
      throw AdapterLoadException.invalid(
          file
              + " is missing"
              + (binOnly
                  ? "; only adapter_model.bin is present: convert it to safetensors (the worker"
                      + " does not read pickled .bin files)"
                  : ""));
    }
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(file, arena);
      return new LoraWeights(name, config, pairs(st, config, base));
    } catch (ModelLoadException e) {
      throw AdapterLoadException.invalid(e.getMessage());
    }
  }

  /**
   * An adapter of rank {@code rank} on every projection of every layer whose A and B are zero, so
   * it changes nothing: warm-up runs it to compile the LoRA kernels when no adapter is loaded yet.
   *
   * @param dtype F32 or BF16, the dtype the LoRA kernels will stream
   */
  public static LoraWeights zeros(String name, ModelConfig base, int rank, DType dtype) {
    if (dtype != DType.F32 && dtype != DType.BF16) {
      throw new IllegalArgumentException("LoRA weights are F32 or BF16, not " + dtype);
    }
    AdapterConfig config = new AdapterConfig(rank, rank, false, EnumSet.allOf(LoraTarget.class));
    Arena arena = Arena.ofAuto();
    LoraPair[][] pairs = new LoraPair[base.numLayers()][LoraTarget.values().length];
    for (LoraPair[] layer : pairs) {
      for (LoraTarget t : LoraTarget.values()) {
        layer[t.ordinal()] =
            new LoraPair(
                zeros(arena, dtype, rank, t.inDim(base)),
                zeros(arena, dtype, rank, t.outDim(base)));
      }
    }
    return new LoraWeights(name, config, pairs);
  }

  private static HostTensor zeros(Arena arena, DType dtype, int rows, int cols) {
    MemorySegment seg = arena.allocate((long) rows * cols * dtype.bytes(), 64);
    return new HostTensor(dtype, new int[] {rows, cols}, seg);
  }

  private static LoraPair[][] pairs(SafetensorsFile st, AdapterConfig config, ModelConfig base) {
    Map<String, HostTensor> as = new HashMap<>();
    Map<String, HostTensor> bs = new HashMap<>();
    for (TensorInfo info : st.tensors().values()) {
      String tensor = info.name();
      Matcher m = NAME.matcher(tensor);
      if (!m.matches()) {
        throw invalid(st, tensor, "is not a LoRA A/B weight of a decoder layer projection");
      }
      LoraTarget target = LoraTarget.ofModuleName(m.group(3)).orElse(null);
      if (target == null || !target.parent().equals(m.group(2))) {
        throw invalid(st, tensor, "adapts an unsupported module " + m.group(2) + "." + m.group(3));
      }
      if (!config.targets().contains(target)) {
        throw invalid(st, tensor, "adapts " + target.module() + ", absent from target_modules");
      }
      int layer = Integer.parseInt(m.group(1));
      if (layer >= base.numLayers()) {
        throw invalid(
            st, tensor, "names layer " + layer + "; the base model has " + base.numLayers());
      }
      String key = layer + "." + target.name();
      (m.group(4).equals("A") ? as : bs).put(key, st.tensor(tensor));
    }
    LoraPair[][] pairs = new LoraPair[base.numLayers()][LoraTarget.values().length];
    int count = 0;
    for (Map.Entry<String, HostTensor> e : as.entrySet()) {
      String[] key = e.getKey().split("\\.");
      int layer = Integer.parseInt(key[0]);
      LoraTarget target = LoraTarget.valueOf(key[1]);
      HostTensor b = bs.remove(e.getKey());
      String prefix = "model.layers." + layer + "." + target.parent() + "." + target.module();
      if (b == null) {
        throw invalid(st, prefix + ".lora_B.weight", "is missing (lora_A is present)");
      }
      pairs[layer][target.ordinal()] = pair(st, prefix, e.getValue(), b, config, base, target);
      count++;
    }
    if (!bs.isEmpty()) {
      throw invalid(st, "lora_B of " + bs.keySet().iterator().next(), "has no lora_A");
    }
    if (count == 0) {
      throw invalid(st, "(all)", "no LoRA weights found");
    }
    return pairs;
  }

  private static LoraPair pair(
      SafetensorsFile st,
      String prefix,
      HostTensor a,
      HostTensor b,
      AdapterConfig config,
      ModelConfig base,
      LoraTarget target) {
    int r = config.rank();
    int in = target.inDim(base);
    int out = target.outDim(base);
    requireShape(st, prefix + ".lora_A.weight", a, r, in);
    requireShape(st, prefix + ".lora_B.weight", b, out, r);
    Arena arena = Arena.ofAuto();
    return new LoraPair(copy(arena, a), transposed(arena, b, out, r));
  }

  /** A copy of {@code t} in its own dtype, owned by {@code arena}. */
  private static HostTensor copy(Arena arena, HostTensor t) {
    MemorySegment seg = arena.allocate(t.segment().byteSize(), 64);
    seg.copyFrom(t.segment());
    return new HostTensor(t.dtype(), t.shape(), seg);
  }

  /** {@code b [out, r]} transposed to {@code [r, out]}, element bits copied unchanged. */
  private static HostTensor transposed(Arena arena, HostTensor b, int out, int r) {
    MemorySegment src = b.segment();
    MemorySegment dst = arena.allocate(src.byteSize(), 64);
    boolean wide = b.dtype().bytes() == 4;
    for (int o = 0; o < out; o++) {
      for (int j = 0; j < r; j++) {
        long from = (long) o * r + j;
        long to = (long) j * out + o;
        if (wide) {
          dst.setAtIndex(BITS32, to, src.getAtIndex(BITS32, from));
        } else {
          dst.setAtIndex(BITS16, to, src.getAtIndex(BITS16, from));
        }
      }
    }
    return new HostTensor(b.dtype(), new int[] {r, out}, dst);
  }

  private static void requireShape(SafetensorsFile st, String tensor, HostTensor t, int... shape) {
    if (!Arrays.equals(t.shape(), shape)) {
      throw invalid(
          st,
          tensor,
          "has shape "
              + Arrays.toString(t.shape())
              + ", the base model and r need "
              + Arrays.toString(shape));
    }
  }

  private static AdapterLoadException invalid(SafetensorsFile st, String tensor, String why) {
    return AdapterLoadException.invalid(st.path() + ": tensor " + tensor + " " + why);
  }

  /** The adapter's name. */
  public String name() {
    return name;
  }

  /** Its validated configuration. */
  public AdapterConfig config() {
    return config;
  }

  /** The factor on B·A·x. */
  public float scale() {
    return config.scale();
  }

  /** The rank r. */
  public int rank() {
    return config.rank();
  }

  /** The A/B pair of {@code target} in {@code layer}, or null when that projection is unadapted. */
  public LoraPair pair(int layer, LoraTarget target) {
    return pairs[layer][target.ordinal()];
  }

  /** Layers of the base model this adapter was checked against. */
  public int numLayers() {
    return pairs.length;
  }

  /** Bytes of the copies, by their dtype (for memory accounting). */
  public long bytes() {
    long n = 0;
    for (LoraPair[] layer : pairs) {
      for (LoraPair p : layer) {
        n += p == null ? 0 : p.a().segment().byteSize() + p.bT().segment().byteSize();
      }
    }
    return n;
  }
}
