package dev.cairn.worker.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.backend.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a {@code .safetensors} file. Each tensor's bytes are produced straight into the mapped
 * output, so multi-gigabyte files never pass through the heap.
 */
public final class SafetensorsWriter {

  private SafetensorsWriter() {}

  /**
   * One tensor to write.
   *
   * @param fill writes exactly {@code numel * dtype.bytes()} little-endian bytes into its argument
   */
  public record Entry(String name, DType dtype, int[] shape, Consumer<MemorySegment> fill) {

    /** Byte size of the data. */
    public long bytes() {
      long n = dtype.bytes();
      for (int d : shape) {
        n *= d;
      }
      return n;
    }

    /** An F32 tensor with the given values. */
    public static Entry ofFloats(String name, float[] values, int... shape) {
      return new Entry(
          name,
          DType.F32,
          shape,
          seg ->
              MemorySegment.copy(
                  values,
                  0,
                  seg,
                  ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                  0,
                  values.length));
    }

    /** A BF16 tensor rounded from the given values. */
    public static Entry ofBf16(String name, float[] values, int... shape) {
      return new Entry(
          name,
          DType.BF16,
          shape,
          seg -> {
            for (int i = 0; i < values.length; i++) {
              seg.setAtIndex(
                  ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                  i,
                  DType.floatToBf16(values[i]));
            }
          });
    }
  }

  /** Writes {@code entries} to {@code file}, replacing it. */
  public static void write(Path file, List<Entry> entries) throws IOException {
    byte[] header = header(entries);
    long dataBytes = entries.stream().mapToLong(Entry::bytes).sum();
    try (Arena arena = Arena.ofConfined();
        FileChannel ch =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
      long total = 8 + header.length + dataBytes;
      MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
      out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
      MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 8, header.length);
      long offset = 8 + header.length;
      for (Entry e : entries) {
        e.fill().accept(out.asSlice(offset, e.bytes()));
        offset += e.bytes();
      }
      out.force();
    }
  }

  private static byte[] header(List<Entry> entries) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = root.putObject(e.name());
      t.put("dtype", e.dtype().safetensorsName());
      ArrayNode shape = t.putArray("shape");
      for (int d : e.shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + e.bytes());
      offset += e.bytes();
    }
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    StringBuilder text = new StringBuilder(root.toString());
    while ((text.length() + 8) % 8 != 0) {
      text.append(' ');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }
}
