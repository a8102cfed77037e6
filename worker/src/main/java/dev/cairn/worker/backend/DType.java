package dev.cairn.worker.backend;

import java.util.Locale;

/**
 * Element type of a tensor, as stored in memory. Compute always runs in F32. The quantized types
 * store blocks of {@link #blockSize()} consecutive elements of a row, laid out as GGUF defines them
 * (see {@link QuantBlocks}).
 */
public enum DType {
  F32(1, 4),
  F16(1, 2),
  BF16(1, 2),
  /** 32 int8 values after one F16 scale: 34 bytes per block. */
  Q8_0(QuantBlocks.BLOCK, 34),
  /** 32 4-bit values (offset by 8) after one F16 scale: 18 bytes per block. */
  Q4_0(QuantBlocks.BLOCK, 18);

  private final int blockSize;
  private final int blockBytes;

  DType(int blockSize, int blockBytes) {
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** Bytes per element; quantized types have no whole number and answer via {@link #byteSize}. */
  public int bytes() {
    if (isQuantized()) {
      throw new IllegalStateException(this + " stores blocks: use byteSize(numel)");
    }
    return blockBytes;
  }

  /** Whether elements are stored in scaled blocks rather than one by one. */
  public boolean isQuantized() {
    return blockSize > 1;
  }

  /** Elements per block (1 for plain types). */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes {@code numel} elements occupy; a quantized tensor's rows hold whole blocks. */
  public long byteSize(long numel) {
    return numel / blockSize * blockBytes;
  }

  /** Bytes per element, fractional for the quantized types (Q8_0: 34/32, Q4_0: 18/32). */
  public double bytesPerElement() {
    return (double) blockBytes / blockSize;
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

  /** Parses spec.engine.quantization: none (null), q8_0 or q4_0 (case-insensitive). */
  public static DType fromQuantization(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "none" -> null;
      case "q8_0" -> Q8_0;
      case "q4_0" -> Q4_0;
      default ->
          throw new IllegalArgumentException(
              "unsupported quantization '" + name + "': expected none, q8_0 or q4_0");
    };
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
