package dev.cairn.worker.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The build-time PTX shipped in the jar under {@code cuda/}: one module per {@code .cu} source in
 * {@code src/main/cuda}, compiled by nvcc for {@code compute_80} when the worker was built.
 */
public final class PtxResources {

  /** Classpath folder of the PTX modules. */
  public static final String FOLDER = "cuda/";

  /** Every module and the kernel entry points it must define. */
  public static final Map<String, List<String>> ENTRIES = entries();

  private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+)\\.(\\d+)");

  private PtxResources() {}

  private static Map<String, List<String>> entries() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(
        "matmul",
        List.of(
            "matmul_gemv_f32",
            "matmul_tiled_f32",
            "matmul_gemv_bf16",
            "matmul_tiled_bf16",
            "matmul_gemv_f16",
            "matmul_tiled_f16",
            "matmul_gemv_q8_0",
            "matmul_tiled_q8_0",
            "matmul_gemv_q4_0",
            "matmul_tiled_q4_0"));
    m.put("norm", List.of("rmsnorm_f32"));
    m.put("rope", List.of("rope_neox_f32"));
    m.put(
        "elementwise",
        List.of(
            "swiglu_f32",
            "add_f32",
            "bias_add_f32",
            "gather_rows_f32",
            "embedding_f32",
            "embedding_bf16",
            "embedding_f16"));
    m.put(
        "attention",
        List.of("kv_write_f32", "paged_attention_f32", "kv_write_bf16", "paged_attention_bf16"));
    m.put("convert", List.of("f32_to_bf16", "bf16_to_f32", "f32_to_f16", "f16_to_f32"));
    m.put("sampling", List.of("logits_scale_f32", "argmax_f32", "softmax_f32"));
    m.put(
        "lora",
        List.of(
            "lora_shrink_f32",
            "lora_expand_f32",
            "lora_shrink_bf16",
            "lora_expand_bf16",
            "lora_shrink_f16",
            "lora_expand_f16"));
    return Map.copyOf(m);
  }

  /** Whether the build packed PTX (nvcc was found when the worker was built). */
  public static boolean present() {
    return PtxResources.class.getClassLoader().getResource(FOLDER + "matmul.ptx") != null;
  }

  /** The PTX text of {@code module}, NUL-terminated as {@code cuModuleLoadData} expects. */
  public static byte[] load(String module) {
    String path = FOLDER + module + ".ptx";
    try (InputStream in = PtxResources.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new CudaFailure(
            "PTX resource " + path + " is missing: the worker was built without nvcc");
      }
      byte[] text = in.readAllBytes();
      byte[] terminated = new byte[text.length + 1];
      System.arraycopy(text, 0, terminated, 0, text.length);
      return terminated;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read PTX resource " + path, e);
    }
  }

  /** The PTX ISA version ({@code .version 9.0} gives {@code [9, 0]}) of the matmul module. */
  public static Optional<int[]> isaVersion() {
    if (!present()) {
      return Optional.empty();
    }
    return isaVersion(new String(load("matmul"), StandardCharsets.US_ASCII));
  }

  /** The PTX ISA version declared by a PTX text. */
  static Optional<int[]> isaVersion(String ptx) {
    Matcher m = VERSION.matcher(ptx);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
  }

  /**
   * The oldest driver version (as {@code cuDriverGetVersion} reports it, 1000·major + 10·minor)
   * that JIT-compiles a PTX ISA version, or 0 when the version is unknown (the load then decides).
   * PTX ISA 9.x came with CUDA 13.x, 8.0–8.5 with 12.0–12.5, 8.6–8.8 with 12.7–12.9, 7.x with 11.x.
   */
  static int requiredDriverVersion(int isaMajor, int isaMinor) {
    return switch (isaMajor) {
      case 9 -> 13000 + 10 * isaMinor;
      case 8 -> isaMinor <= 5 ? 12000 + 10 * isaMinor : 12010 + 10 * isaMinor;
      case 7 -> 11000 + 10 * isaMinor;
      default -> 0;
    };
  }

  /** Formats a driver version number as {@code 13.0}. */
  static String formatVersion(int driverVersion) {
    return driverVersion / 1000 + "." + (driverVersion % 1000) / 10;
  }
}
