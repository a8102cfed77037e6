package dev.cairn.worker.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.model.ModelLoadException;
import dev.cairn.worker.model.safetensors.SafetensorsWriter.Entry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips through the writer, sharded checkpoints, and every corrupt-file error message. */
class SafetensorsFileTest {

  @TempDir Path dir;

  private static void writeRaw(Path file, String header, int dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    Files.write(file, buf.array());
  }

  @Test
  void writerAndReaderRoundTripF32AndBf16() throws IOException {
    Path f = dir.resolve("model.safetensors");
    SafetensorsWriter.write(
        f,
        List.of(
            Entry.ofFloats("a", new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3),
            Entry.ofBf16("b", new float[] {1f, -0.5f, 3f}, 3)));
    try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
      HostTensor a = w.tensor("a", 2, 3);
      assertThat(a.dtype()).isEqualTo(DType.F32);
      assertThat(a.toFloats(0, 6)).containsExactly(1.5f, -2f, 3.25f, 0f, 7f, 8f);
      HostTensor b = w.tensor("b", 3);
      assertThat(b.dtype()).isEqualTo(DType.BF16);
      assertThat(b.toFloats(0, 3)).containsExactly(1f, -0.5f, 3f);
    }
  }

  @Test
  void readsShardedCheckpointsThroughTheIndex() throws IOException {
    SafetensorsWriter.write(
        dir.resolve("s1.safetensors"), List.of(Entry.ofFloats("x", new float[] {1f}, 1)));
    SafetensorsWriter.write(
        dir.resolve("s2.safetensors"), List.of(Entry.ofFloats("y", new float[] {2f, 3f}, 2)));
    Files.writeString(
        dir.resolve(SafetensorsWeights.INDEX),
        "{\"metadata\":{},\"weight_map\":{\"x\":\"s1.safetensors\",\"y\":\"s2.safetensors\"}}");
    try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
      assertThat(w.tensor("x", 1).getFloat(0)).isEqualTo(1f);
      assertThat(w.tensor("y", 2).getFloat(1)).isEqualTo(3f);
    }
  }

  @Test
  void missingCheckpointNamesBothFileNames() {
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no model.safetensors or model.safetensors.index.json in " + dir);
  }

  @Test
  void missingShardIsReported() throws IOException {
    Files.writeString(
        dir.resolve(SafetensorsWeights.INDEX), "{\"weight_map\":{\"x\":\"gone.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining("safetensors file not found")
        .hasMessageContaining("gone.safetensors");
  }

  @Test
  void headerLengthBeyondTheFileIsCorrupt() throws IOException {
    Path f = dir.resolve("model.safetensors");
    ByteBuffer buf =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0);
    Files.write(f, buf.array());
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining("corrupt safetensors header")
        .hasMessageContaining("header length 1000");
  }

  @Test
  void tooShortFileIsCorrupt() throws IOException {
    Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining("shorter than the header length");
  }

  @Test
  void badJsonIsCorrupt() throws IOException {
    writeRaw(dir.resolve("model.safetensors"), "{\"a\": [1, 2", 0);
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining("header is not valid JSON");
  }

  @Test
  void offsetsOutsideTheDataAreCorrupt() throws IOException {
    writeRaw(
        dir.resolve("model.safetensors"),
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
        8);
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining(
            "tensor 'w' has data_offsets [0, 16] outside the data section of 8 bytes");
  }

  @Test
  void sizeNotMatchingTheShapeIsCorrupt() throws IOException {
    writeRaw(
        dir.resolve("model.safetensors"),
        "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        8);
    assertThatThrownBy(() -> SafetensorsWeights.open(dir))
        .hasMessageContaining("tensor 'w' spans 8 bytes, but BF16[3] needs 6");
  }

  @Test
  void unsupportedDtypeIsNamedWhenTheTensorIsUsed() throws IOException {
    writeRaw(
        dir.resolve("model.safetensors"),
        "{\"w\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}",
        4);
    try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
      assertThatThrownBy(() -> w.tensor("w", 4))
          .hasMessageContaining("tensor 'w'")
          .hasMessageContaining("unsupported dtype I8 (supported: F32, F16, BF16)");
    }
  }

  @Test
  void missingTensorAndWrongShapeAreNamed() throws IOException {
    SafetensorsWriter.write(
        dir.resolve("model.safetensors"), List.of(Entry.ofFloats("w", new float[6], 2, 3)));
    try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
      assertThatThrownBy(() -> w.tensor("nope", 1)).hasMessageContaining("tensor 'nope' not found");
      assertThatThrownBy(() -> w.tensor("w", 3, 2))
          .hasMessageContaining("tensor 'w' has shape [2, 3], expected [3, 2]");
    }
  }

  @Test
  void singleFileIsAMappedViewNotACopy() throws IOException {
    Path f = dir.resolve("one.safetensors");
    SafetensorsWriter.write(f, List.of(Entry.ofFloats("w", new float[] {4f}, 1)));
    try (Arena arena = Arena.ofConfined()) {
      HostTensor t = SafetensorsFile.open(f, arena).tensor("w");
      assertThat(t.getFloat(0)).isEqualTo(4f);
      // A write to the file shows through: the tensor is the mapping, not a copy of it.
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ByteBuffer five = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(5f).flip();
        ch.write(five, ch.size() - 4);
      }
      assertThat(t.getFloat(0)).isEqualTo(5f);
      // ...and of the same class as the activations, so the kernels' vector loads see one class
      assertThat(t.segment().getClass()).isEqualTo(arena.allocate(4).getClass());
    }
  }
}
