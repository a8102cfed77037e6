package dev.cairn.worker.backend.cuda;

/** Element types kept on the device: weights in any of them, activations in F32. */
public enum DeviceType {
  /** IEEE single precision. */
  F32(4, "f32"),
  /** bfloat16: the upper half of an F32. */
  BF16(2, "bf16"),
  /** IEEE half precision. */
  F16(2, "f16"),
  /** GGUF Q8_0 blocks (34 bytes per 32 weights): matmul weights only. */
  Q8_0(0, "q8_0"),
  /** GGUF Q4_0 blocks (18 bytes per 32 weights): matmul weights only. */
  Q4_0(0, "q4_0");

  private final int bytes;
  private final String suffix;

  DeviceType(int bytes, String suffix) {
    this.bytes = bytes;
    this.suffix = suffix;
  }

  /** Bytes per element; 0 for the block types, which have no whole number. */
  public int bytes() {
    return bytes;
  }

  /** Whether weights of this type are GGUF blocks (their GEMV keeps one row per warp). */
  public boolean quantized() {
    return bytes == 0;
  }

  /** The kernel-name suffix, e.g. {@code matmul_gemv_bf16}. */
  public String suffix() {
    return suffix;
  }
}
