package dev.cairn.worker.lora;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.HostTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.backend.reference.ReferenceBackend;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.RopeScaling;
import dev.cairn.worker.model.safetensors.SafetensorsWeights;
import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared adapters reproduce tiny-shakespeare-lora/reference.json (PyTorch, F32): the prompt's
 * last logits within 1e-3, for the base model and each adapter. The forward pass is a plain
 * full-sequence one over {@link ReferenceBackend} ops plus the LoRA delta (reference or CPU
 * kernels) after each adapted projection, so this checks the adapter files' reading (names,
 * transposition, scale) and the delta's math without the engine's executor.
 */
class LoraReferenceTest {
  private static final ModelConfig C = TestAdapters.base();
  private static SafetensorsWeights weights;
  private static ReferenceBackend ref;
  private static CpuBackend cpu;
  private Backend deltas; // runs loraDelta: the reference, or the CPU kernels

  @BeforeAll
  static void open() {
    weights = SafetensorsWeights.open(TestModels.tinyShakespeare());
    ref = new ReferenceBackend();
    cpu = new CpuBackend(2, true);
  }

  @AfterAll
  static void close() {
    weights.close();
    ref.close();
    cpu.close();
  }

  static Stream<Arguments> cases() throws IOException {
    JsonNode root =
        new ObjectMapper()
            .readTree(
                Files.readString(
                    TestModels.repoRoot().resolve("models/tiny-shakespeare-lora/reference.json")));
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      String adapter = c.get("adapter").isNull() ? "base" : c.get("adapter").asText();
      out.add(Arguments.of(adapter, "reference", c));
      if (!adapter.equals("base")) {
        out.add(Arguments.of(adapter, "cpu", c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} through {1}: {index}")
  @MethodSource("cases")
  void lastLogitsMatchPyTorch(String adapter, String deltaBackend, JsonNode c) {
    deltas = deltaBackend.equals("cpu") ? cpu : ref;
    LoraWeights lora =
        adapter.equals("base") ? null : LoraWeights.load(adapter, TestAdapters.dir(adapter), C, 16);
    int[] ids = new ObjectMapper().convertValue(c.get("prompt_ids"), int[].class);
    float[] logits = forward(ids, lora);
    JsonNode expected = c.get("last_logits");
    for (int v = 0; v < C.vocabSize(); v++) {
      assertThat(logits[v])
          .as("logit %d", v)
          .isCloseTo((float) expected.get(v).asDouble(), Offset.offset(1e-3f));
    }
  }

  /** Logits at the last position; every row uses the adapter (slot 0), or none. */
  private float[] forward(int[] ids, LoraWeights lora) {
    int t = ids.length;
    int h = C.hiddenSize();
    int[] positions = new int[t];
    int[] slots = new int[t];
    for (int i = 0; i < t; i++) {
      positions[i] = i;
      slots[i] = lora == null ? -1 : 0;
    }
    DeviceTensor cosSin =
        HostTensor.ofFloats(
            Arena.ofAuto(),
            RopeScaling.cosSinTable(t, C.headDim(), C.ropeTheta(), C.ropeScaling()),
            t,
            C.headDim());
    DeviceTensor x = ref.allocate(t, h);
    ref.embed(w("model.embed_tokens.weight", C.vocabSize(), h), ids, x);
    DeviceTensor normed = ref.allocate(t, h);
    for (int l = 0; l < C.numLayers(); l++) {
      String p = "model.layers." + l + ".";
      ref.rmsNorm(x, w(p + "input_layernorm.weight", h), (float) C.rmsNormEps(), t, normed);
      DeviceTensor q = project(normed, l, LoraTarget.Q, lora, slots);
      DeviceTensor k = project(normed, l, LoraTarget.K, lora, slots);
      DeviceTensor v = project(normed, l, LoraTarget.V, lora, slots);
      ref.rope(q, C.numHeads(), C.headDim(), positions, cosSin);
      ref.rope(k, C.numKvHeads(), C.headDim(), positions, cosSin);
      DeviceTensor att = causalAttention(q, k, v, t);
      ref.addInPlace(x, project(att, l, LoraTarget.O, lora, slots), t);
      ref.rmsNorm(
          x, w(p + "post_attention_layernorm.weight", h), (float) C.rmsNormEps(), t, normed);
      DeviceTensor gate = project(normed, l, LoraTarget.GATE, lora, slots);
      ref.swiglu(gate, project(normed, l, LoraTarget.UP, lora, slots), t, gate);
      ref.addInPlace(x, project(gate, l, LoraTarget.DOWN, lora, slots), t);
    }
    ref.rmsNorm(x, w("model.norm.weight", h), (float) C.rmsNormEps(), t, normed);
    DeviceTensor last = ref.allocate(1, h);
    ref.gatherRows(normed, new int[] {t - 1}, last);
    DeviceTensor logits = ref.allocate(1, C.vocabSize());
    ref.matmul(last, w("model.embed_tokens.weight", C.vocabSize(), h), null, 1, logits);
    return ref.read(logits, 0, C.vocabSize());
  }

  /** The base projection plus, where the adapter adapts it, its LoRA delta. */
  private DeviceTensor project(
      DeviceTensor in, int layer, LoraTarget target, LoraWeights lora, int[] slots) {
    int t = slots.length;
    String name = "model.layers." + layer + "." + target.parent() + "." + target.module();
    int outDim = target.outDim(C);
    DeviceTensor out = ref.allocate(t, outDim);
    DeviceTensor bias = weights.has(name + ".bias") ? weights.tensor(name + ".bias", outDim) : null;
    ref.matmul(in, w(name + ".weight", outDim, target.inDim(C)), bias, t, out);
    LoraPair pair = lora == null ? null : lora.pair(layer, target);
    if (pair != null) {
      LoraBatch batch =
          new LoraBatch(
              new DeviceTensor[] {pair.a()},
              new DeviceTensor[] {pair.bT()},
              new float[] {lora.scale()},
              slots);
      deltas.loraDelta(in, batch, out);
    }
    return out;
  }

  /** Plain causal grouped-query attention over the whole sequence, in double. */
  private static DeviceTensor causalAttention(
      DeviceTensor q, DeviceTensor k, DeviceTensor v, int t) {
    int hd = C.headDim();
    int group = C.numHeads() / C.numKvHeads();
    float[] qs = ref.read(q, 0, t * C.qDim());
    float[] ks = ref.read(k, 0, t * C.kvDim());
    float[] vs = ref.read(v, 0, t * C.kvDim());
    float[] out = new float[t * C.qDim()];
    for (int i = 0; i < t; i++) {
      for (int head = 0; head < C.numHeads(); head++) {
        int kvOff = (head / group) * hd;
        double[] p = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int d = 0; d < hd; d++) {
            dot += (double) qs[i * C.qDim() + head * hd + d] * ks[j * C.kvDim() + kvOff + d];
          }
          p[j] = dot / Math.sqrt(hd);
          max = Math.max(max, p[j]);
        }
        double sum = 0;
        for (int j = 0; j <= i; j++) {
          p[j] = Math.exp(p[j] - max);
          sum += p[j];
        }
        for (int d = 0; d < hd; d++) {
          double acc = 0;
          for (int j = 0; j <= i; j++) {
            acc += p[j] * vs[j * C.kvDim() + kvOff + d];
          }
          out[i * C.qDim() + head * hd + d] = (float) (acc / sum);
        }
      }
    }
    DeviceTensor o = ref.allocate(t, C.qDim());
    ref.write(o, out);
    return o;
  }

  private static DeviceTensor w(String name, int... shape) {
    return weights.tensor(name, shape);
  }
}
