package dev.cairn.worker.backend;

import java.util.Locale;

/** Element type of a tensor, as stored in memory. Compute always runs in F32. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Widens a BF16 bit pattern to float: BF16 is the top half of an F32. */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Narrows a float to BF16 with round-to-nearest-even (NaN kept quiet). */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** Parses a safetensors dtype name ("F32", "BF16", "F16"), or null when unsupported. */
  public static DType fromSafetensors(String name) {
    return switch (name) {
      case "F32" -> F32;
      case "F16" -> F16;
      case "BF16" -> BF16;
      default -> null;
    };
  }

  /** Name used in safetensors headers. */
  public String safetensorsName() {
    return name();
  }

  /** Parses a user-facing name: float32, bfloat16, float16 (case-insensitive). */
  public static DType fromUserName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "float32", "f32", "fp32" -> F32;
      case "bfloat16", "bf16" -> BF16;
      case "float16", "f16", "fp16", "half" -> F16;
      default ->
          throw new IllegalArgumentException(
              "unsupported dtype '" + name + "': expected auto, float32, bfloat16 or float16");
    };
  }
}
