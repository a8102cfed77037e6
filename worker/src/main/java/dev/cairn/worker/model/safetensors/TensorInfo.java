package dev.cairn.worker.model.safetensors;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name tensor name
 * @param dtypeName dtype as written in the header (may be one we cannot compute with)
 * @param shape dimensions
 * @param begin first byte, relative to the start of the data section
 * @param end one past the last byte
 */
public record TensorInfo(String name, String dtypeName, int[] shape, long begin, long end) {

  /** Number of elements. */
  public long numel() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + " " + dtypeName + Arrays.toString(shape);
  }
}
