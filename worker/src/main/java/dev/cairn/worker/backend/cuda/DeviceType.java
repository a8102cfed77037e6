package dev.cairn.worker.backend.cuda;

/** Element types kept on the device: weights in any of them, activations in F32. */
public enum DeviceType {
  /** IEEE single precision. */
  F32(4, "f32"),
  /** bfloat16: the upper half of an F32. */
  BF16(2, "bf16"),
  /** IEEE half precision. */
  F16(2, "f16");

  private final int bytes;
  private final String suffix;

  DeviceType(int bytes, String suffix) {
    this.bytes = bytes;
    this.suffix = suffix;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The kernel-name suffix, e.g. {@code matmul_gemv_bf16}. */
  public String suffix() {
    return suffix;
  }
}
