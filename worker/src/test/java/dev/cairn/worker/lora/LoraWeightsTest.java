package dev.cairn.worker.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.lora.AdapterLoadException.Reason;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.safetensors.SafetensorsFile;
import dev.cairn.worker.model.safetensors.SafetensorsWriter;
import dev.cairn.worker.model.safetensors.SafetensorsWriter.Entry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The shared adapters load with the right shapes and scale; broken copies fail by name. */
class LoraWeightsTest {
  private static final ModelConfig BASE = TestAdapters.base();

  @TempDir Path tmp;

  @Test
  void shoutyAdaptsEveryProjectionOfEveryLayer() {
    LoraWeights w = LoraWeights.load("shouty", TestAdapters.dir("shouty"), BASE, 16);
    assertThat(w.rank()).isEqualTo(8);
    assertThat(w.scale()).isEqualTo(2.0f);
    for (int layer = 0; layer < BASE.numLayers(); layer++) {
      for (LoraTarget t : LoraTarget.values()) {
        LoraPair p = w.pair(layer, t);
        assertThat(p).as("layer %d %s", layer, t).isNotNull();
        assertThat(p.a().shape()).containsExactly(8, t.inDim(BASE));
        assertThat(p.bT().shape()).containsExactly(8, t.outDim(BASE));
        assertThat(p.a().dtype()).isEqualTo(DType.F32);
        assertThat(p.bT().dtype()).isEqualTo(DType.F32);
      }
    }
    long params = 0;
    for (LoraTarget t : LoraTarget.values()) {
      params += 8L * (t.inDim(BASE) + t.outDim(BASE));
    }
    assertThat(w.bytes()).isEqualTo(params * BASE.numLayers() * 4);
  }

  @ParameterizedTest
  @EnumSource(
      value = DType.class,
      names = {"BF16", "F16"})
  void sixteenBitAdaptersStayInTheirDtypeWithBTransposed(DType dtype) throws IOException {
    Path src = TestAdapters.dir("plain");
    Path dir = tmp.resolve(dtype.name());
    Files.createDirectories(dir);
    Files.copy(src.resolve(AdapterConfig.FILE), dir.resolve(AdapterConfig.FILE));
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(src.resolve(LoraWeights.FILE), arena);
      List<Entry> entries = new ArrayList<>();
      for (String name : st.tensors().keySet()) {
        HostTensor t = st.tensor(name);
        assertThat(t.dtype()).as("the shared adapter is F32").isEqualTo(DType.F32);
        entries.add(narrowed(name, t.toFloats(0, Math.toIntExact(t.numel())), t.shape(), dtype));
      }
      SafetensorsWriter.write(dir.resolve(LoraWeights.FILE), entries);
    }
    LoraWeights f32 = LoraWeights.load("plain", src, BASE, 16);
    LoraWeights w = LoraWeights.load("plain16", dir, BASE, 16);
    assertThat(w.bytes()).isEqualTo(f32.bytes() / 2);
    LoraPair v = w.pair(1, LoraTarget.V);
    assertThat(v.a().dtype()).isEqualTo(dtype);
    assertThat(v.bT().dtype()).isEqualTo(dtype);
    assertThat(v.bT().shape()).containsExactly(4, BASE.kvDim());
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(dir.resolve(LoraWeights.FILE), arena);
      HostTensor a = st.tensor("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight");
      HostTensor b = st.tensor("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
      assertThat(v.a().toFloats(0, 4 * BASE.hiddenSize()))
          .containsExactly(a.toFloats(0, 4 * BASE.hiddenSize()));
      int out = BASE.kvDim();
      for (int o = 0; o < out; o++) {
        for (int j = 0; j < 4; j++) {
          assertThat(v.bT().getFloat((long) j * out + o)).isEqualTo(b.getFloat((long) o * 4 + j));
        }
      }
    }
  }

  /** A tensor of {@code values} rounded to {@code dtype} (BF16 or F16). */
  private static Entry narrowed(String name, float[] values, int[] shape, DType dtype) {
    if (dtype == DType.BF16) {
      return Entry.ofBf16(name, values, shape);
    }
    ValueLayout.OfShort le16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    return new Entry(
        name,
        dtype,
        shape,
        seg -> {
          for (int i = 0; i < values.length; i++) {
            seg.setAtIndex(le16, i, Float.floatToFloat16(values[i]));
          }
        });
  }

  @Test
  void plainAdaptsOnlyQueriesAndValuesAndKeepsBTransposed() {
    Path dir = TestAdapters.dir("plain");
    LoraWeights w = LoraWeights.load("plain", dir, BASE, 16);
    assertThat(w.rank()).isEqualTo(4);
    assertThat(w.scale()).isEqualTo(2.0f);
    assertThat(w.pair(2, LoraTarget.K)).isNull();
    assertThat(w.pair(2, LoraTarget.DOWN)).isNull();
    LoraPair v = w.pair(1, LoraTarget.V);
    try (Arena arena = Arena.ofConfined()) {
      var b =
          SafetensorsFile.open(dir.resolve(LoraWeights.FILE), arena)
              .tensor("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
      int out = BASE.kvDim();
      for (int o = 0; o < out; o += 17) {
        for (int j = 0; j < 4; j++) {
          assertThat(v.bT().getFloat((long) j * out + o)).isEqualTo(b.getFloat((long) o * 4 + j));
        }
      }
    }
  }

  @Test
  void rsLoraScalesBySquareRoot() throws IOException {
    Path dir = TestAdapters.copy("shouty", tmp.resolve("rs"));
    TestAdapters.setConfigField(dir, "use_rslora", "true");
    assertThat(LoraWeights.load("rs", dir, BASE, 16).scale())
        .isEqualTo((float) (16 / Math.sqrt(8)));
  }

  @Test
  void aBinOnlyAdapterIsRefusedNamingTheFile() throws IOException {
    Path dir = TestAdapters.copy("plain", tmp.resolve("bin"));
    Files.move(dir.resolve(LoraWeights.FILE), dir.resolve("adapter_model.bin"));
    assertInvalid(dir, 16, "adapter_model.safetensors is missing; only adapter_model.bin");
  }

  @Test
  void configProblemsNameTheField() throws IOException {
    Path dir = TestAdapters.copy("plain", tmp.resolve("cfg"));
    assertInvalid(dir, 2, "adapter_config.json: r 4 exceeds spec.lora.maxLoraRank 2");
    TestAdapters.setConfigField(dir, "target_modules", "[\"q_proj\", \"lm_head\"]");
    assertInvalid(dir, 16, "target_modules names unknown module 'lm_head'");
    TestAdapters.setConfigField(dir, "target_modules", "[\"q_proj\", \"v_proj\"]");
    TestAdapters.setConfigField(dir, "use_dora", "true");
    assertInvalid(dir, 16, "use_dora DoRA adapters are not supported");
    TestAdapters.setConfigField(dir, "use_dora", "false");
    TestAdapters.setConfigField(dir, "modules_to_save", "[\"lm_head\"]");
    assertInvalid(dir, 16, "modules_to_save is set");
    TestAdapters.setConfigField(dir, "modules_to_save", "null");
    TestAdapters.setConfigField(dir, "bias", "\"all\"");
    assertInvalid(dir, 16, "bias is 'all'");
    TestAdapters.setConfigField(dir, "bias", "\"none\"");
    TestAdapters.setConfigField(dir, "fan_in_fan_out", "true");
    assertInvalid(dir, 16, "fan_in_fan_out is true");
    TestAdapters.setConfigField(dir, "fan_in_fan_out", "false");
    TestAdapters.setConfigField(dir, "target_modules", "\".*proj\"");
    assertInvalid(dir, 16, "a regular expression is not supported");
  }

  @Test
  void aTensorForAModuleOutsideTargetModulesIsRefused() throws IOException {
    Path dir = TestAdapters.copy("shouty", tmp.resolve("narrow"));
    TestAdapters.setConfigField(dir, "target_modules", "[\"model.layers.0.self_attn.q_proj\"]");
    assertInvalid(dir, 16, "absent from target_modules");
  }

  @Test
  void shapesThatDoNotFitTheBaseModelAreRefused() throws IOException {
    Path dir = tmp.resolve("shape");
    Files.createDirectories(dir);
    Files.copy(
        TestAdapters.dir("plain").resolve(AdapterConfig.FILE), dir.resolve(AdapterConfig.FILE));
    String p = "base_model.model.model.layers.0.self_attn.q_proj.";
    List<Entry> entries = new ArrayList<>();
    entries.add(Entry.ofFloats(p + "lora_A.weight", new float[4 * 64], 4, 64));
    entries.add(Entry.ofFloats(p + "lora_B.weight", new float[128 * 4], 128, 4));
    SafetensorsWriter.write(dir.resolve(LoraWeights.FILE), entries);
    assertInvalid(
        dir, 16, "tensor model.layers.0.self_attn.q_proj.lora_A.weight has shape [4, 64]");
  }

  @Test
  void aMissingPartnerOrAForeignTensorIsRefused() throws IOException {
    Path dir = tmp.resolve("partner");
    Files.createDirectories(dir);
    Files.copy(
        TestAdapters.dir("plain").resolve(AdapterConfig.FILE), dir.resolve(AdapterConfig.FILE));
    String p = "base_model.model.model.layers.0.self_attn.q_proj.";
    SafetensorsWriter.write(
        dir.resolve(LoraWeights.FILE),
        List.of(Entry.ofFloats(p + "lora_A.weight", new float[4 * 128], 4, 128)));
    assertInvalid(dir, 16, "lora_B.weight is missing");
    SafetensorsWriter.write(
        dir.resolve(LoraWeights.FILE),
        List.of(Entry.ofFloats("base_model.model.lm_head.weight", new float[4], 2, 2)));
    assertInvalid(dir, 16, "is not a LoRA A/B weight");
  }

  private static void assertInvalid(Path dir, int maxRank, String message) {
    assertThatThrownBy(() -> LoraWeights.load("x", dir, BASE, maxRank))
        .isInstanceOf(AdapterLoadException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((AdapterLoadException) e).reason())
        .isEqualTo(Reason.INVALID);
  }
}
