package dev.cairn.worker.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.ModelLoadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One memory-mapped {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}), then the raw data. Tensors are views of the
 * mapping, never copied onto the heap.
 */
public final class SafetensorsFile {

  /** Headers above this are treated as corrupt rather than allocated. */
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;
  private final MemorySegment data;
  private final Map<String, TensorInfo> tensors;

  private SafetensorsFile(Path path, MemorySegment data, Map<String, TensorInfo> tensors) {
    this.path = path;
    this.data = data;
    this.tensors = tensors;
  }

  /** Maps {@code path} read-only into {@code arena} and validates its header. */
  public static SafetensorsFile open(Path path, Arena arena) {
    MemorySegment whole;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new ModelLoadException("safetensors file not found: " + path, e);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read safetensors file " + path + ": " + e, e);
    }
    if (whole.byteSize() < 8) {
      throw corrupt(path, "file is " + whole.byteSize() + " bytes, shorter than the header length");
    }
    long headerLen =
        whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > whole.byteSize() - 8) {
      throw corrupt(
          path,
          "header length " + headerLen + " does not fit a file of " + whole.byteSize() + " bytes");
    }
    // The mapping seen as a plain native segment, the class of every other segment the kernels
    // read: Vector API loads whose call sites see several segment classes stop being intrinsified
    // (a 4×2 BF16 tile measured 2.5 instead of 21 GFMA/s per core once heap, mapped and native
    // segments had all gone through FloatVector.fromMemorySegment). Same memory, same lifetime.
    whole = MemorySegment.ofAddress(whole.address()).reinterpret(whole.byteSize(), arena, null);
    byte[] header = whole.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
    MemorySegment data = whole.asSlice(8 + headerLen);
    return new SafetensorsFile(path, data, parseHeader(path, header, data.byteSize()));
  }

  private static Map<String, TensorInfo> parseHeader(Path path, byte[] header, long dataSize) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(header, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw corrupt(
          path, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw corrupt(path, "header is not a JSON object");
    }
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("__metadata__")) {
        out.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataSize) {
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null
        || !dtype.isTextual()
        || shape == null
        || !shape.isArray()
        || offsets == null
        || !offsets.isArray()
        || offsets.size() != 2) {
      throw corrupt(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
    }
    int[] dims = new int[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      if (!shape.get(i).canConvertToInt() || shape.get(i).asInt() < 0) {
        throw corrupt(path, "tensor '" + name + "' has an invalid shape " + shape);
      }
      dims[i] = shape.get(i).asInt();
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataSize) {
      throw corrupt(
          path,
          "tensor '"
              + name
              + "' has data_offsets ["
              + begin
              + ", "
              + end
              + "] outside the data section of "
              + dataSize
              + " bytes");
    }
    TensorInfo info = new TensorInfo(name, dtype.asText(), dims, begin, end);
    DType dt = DType.fromSafetensors(info.dtypeName());
    if (dt != null && info.numel() * dt.bytes() != end - begin) {
      throw corrupt(
          path,
          "tensor '"
              + name
              + "' spans "
              + (end - begin)
              + " bytes, but "
              + info.dtypeName()
              + java.util.Arrays.toString(dims)
              + " needs "
              + info.numel() * dt.bytes());
    }
    return info;
  }

  private static ModelLoadException corrupt(Path path, String why) {
    return new ModelLoadException("corrupt safetensors header in " + path + ": " + why);
  }

  /** The file this was mapped from. */
  public Path path() {
    return path;
  }

  /** Header entries by name, in header order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** A view of tensor {@code name}; fails clearly for a missing tensor or unsupported dtype. */
  public HostTensor tensor(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new ModelLoadException("tensor '" + name + "' not found in " + path);
    }
    DType dt = DType.fromSafetensors(info.dtypeName());
    if (dt == null) {
      throw new ModelLoadException(
          "tensor '"
              + name
              + "' in "
              + path
              + " has unsupported dtype "
              + info.dtypeName()
              + " (supported: F32, F16, BF16)");
    }
    return new HostTensor(dt, info.shape(), data.asSlice(info.begin(), info.end() - info.begin()));
  }
}
