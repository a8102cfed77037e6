package dev.cairn.worker.executor;

import dev.cairn.worker.backend.Backend;
import dev.cairn.worker.backend.DType;
import dev.cairn.worker.backend.DeviceTensor;
import dev.cairn.worker.backend.LoraBatch;
import dev.cairn.worker.engine.ModelExecutor;
import dev.cairn.worker.engine.SequenceChunk;
import dev.cairn.worker.lora.LoraTarget;
import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.LayerWeights;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.model.ModelWeights;
import dev.cairn.worker.model.RopeScaling;
import java.util.List;

/**
 * The decoder-only forward pass (Llama / Mistral / Qwen2 block) over any {@link Backend}. Each step
 * stacks every chunk's tokens into one {@code [T, hidden]} activation, so each weight matrix is
 * read once per step whatever the batch holds: a decode step over B sequences is one matmul with T
 * = B.
 */
public final class TransformerExecutor implements ModelExecutor {

  private final Backend backend;
  private final ModelConfig config;
  private final ModelWeights<DeviceTensor> weights;
  private final PagedKvCache cache;
  private final DeviceTensor cosSin; // [maxModelLen, headDim]
  private final AutoCloseable onClose;
  private final AdapterCopies adapters;
  private Workspace ws;
  private DeviceTensor normed; // [logitCap, hidden]
  private DeviceTensor logits; // [logitCap, vocab]
  private int logitCapacity;

  /**
   * Uploads {@code weights} to {@code backend} and allocates a pool of {@code numKvBlocks} blocks
   * of {@code kvDtype} (F32 or BF16).
   *
   * @param onClose closed after the backend (e.g. the mapped checkpoint), or null
   */
  public TransformerExecutor(
      Backend backend,
      ModelConfig config,
      ModelWeights<?> weights,
      int numKvBlocks,
      DType kvDtype,
      AutoCloseable onClose) {
    this.backend = backend;
    this.config = config;
    this.weights = upload(backend, weights);
    this.adapters = new AdapterCopies(backend, this.weights.layers());
    this.cache = new PagedKvCache(backend, config, numKvBlocks, kvDtype);
    this.onClose = onClose;
    int maxLen = config.maxModelLen();
    this.cosSin = backend.allocate(maxLen, config.headDim());
    backend.write(
        cosSin,
        RopeScaling.cosSinTable(
            maxLen, config.headDim(), config.ropeTheta(), config.ropeScaling()));
    this.ws = new Workspace(backend, config, 16);
  }

  @SuppressWarnings("unchecked")
  private static ModelWeights<DeviceTensor> upload(Backend backend, ModelWeights<?> w) {
    return ((ModelWeights<dev.cairn.worker.backend.HostTensor>) w)
        .map(backend::uploadTable, backend::upload);
  }

  /** The backend the weights and the KV pool live on. */
  public Backend backend() {
    return backend;
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public int blockSize() {
    return PagedKvCache.BLOCK_SIZE;
  }

  @Override
  public int numKvBlocks() {
    return cache.numBlocks();
  }

  /** The element type of the KV pool. */
  public DType kvCacheDtype() {
    return cache.dtype();
  }

  @Override
  public int maxModelLen() {
    return config.maxModelLen();
  }

  /** The model's configuration. */
  public ModelConfig config() {
    return config;
  }

  /**
   * Bytes of weights one step reads (every layer matrix, norms and the output head; the embedding
   * lookup touches only the step's rows): the memory traffic that bounds decode speed.
   */
  public long weightBytesPerStep() {
    long total = bytes(weights.norm()) + bytes(weights.lmHead());
    for (LayerWeights<DeviceTensor> l : weights.layers()) {
      for (DeviceTensor t :
          List.of(
              l.inputNorm(),
              l.q(),
              l.k(),
              l.v(),
              l.o(),
              l.postNorm(),
              l.gate(),
              l.up(),
              l.down())) {
        total += bytes(t);
      }
      for (DeviceTensor b : new DeviceTensor[] {l.qBias(), l.kBias(), l.vBias()}) {
        total += b == null ? 0 : bytes(b);
      }
    }
    return total;
  }

  private static long bytes(DeviceTensor t) {
    return t.dtype().byteSize(t.numel());
  }

  @Override
  public synchronized float[][] execute(List<SequenceChunk> batch) {
    StepPlan plan =
        StepPlan.of(
            batch,
            blockSize(),
            numKvBlocks(),
            maxModelLen(),
            vocabSize(),
            config.numHeads(),
            config.numKvHeads(),
            config.headDim());
    int rows = plan.tokens().length;
    ws = ws.ensure(backend, config, rows);
    int[] positions = plan.attention().positions();
    int[] slots = plan.attention().slotMapping();
    LoraStep lora = LoraStep.of(batch, adapters, config.numLayers());
    backend.embed(weights.embed(), plan.tokens(), ws.x);
    for (int l = 0; l < config.numLayers(); l++) {
      layer(l, weights.layers().get(l), plan, lora, rows, positions, slots);
    }
    return logits(plan.logitRows());
  }

  private void layer(
      int l,
      LayerWeights<DeviceTensor> w,
      StepPlan plan,
      LoraStep lora,
      int rows,
      int[] positions,
      int[] slots) {
    float eps = (float) config.rmsNormEps();
    int hd = config.headDim();
    backend.rmsNorm(ws.x, w.inputNorm(), eps, rows, ws.xb);
    backend.matmuls(
        ws.xb,
        new DeviceTensor[] {w.q(), w.k(), w.v()},
        new DeviceTensor[] {w.qBias(), w.kBias(), w.vBias()},
        rows,
        new DeviceTensor[] {ws.q, ws.k, ws.v});
    addLora(lora, l, LoraTarget.Q, ws.xb, ws.q);
    addLora(lora, l, LoraTarget.K, ws.xb, ws.k);
    addLora(lora, l, LoraTarget.V, ws.xb, ws.v);
    backend.rope(ws.q, config.numHeads(), hd, positions, cosSin);
    backend.rope(ws.k, config.numKvHeads(), hd, positions, cosSin);
    backend.writeKv(ws.k, ws.v, cache.keys(l), cache.values(l), slots);
    backend.attention(ws.q, cache.keys(l), cache.values(l), plan.attention(), ws.attn);
    backend.matmul(ws.attn, w.o(), null, rows, ws.xb2);
    addLora(lora, l, LoraTarget.O, ws.attn, ws.xb2);
    backend.addInPlace(ws.x, ws.xb2, rows);
    backend.rmsNorm(ws.x, w.postNorm(), eps, rows, ws.xb);
    backend.matmuls(
        ws.xb,
        new DeviceTensor[] {w.gate(), w.up()},
        new DeviceTensor[2],
        rows,
        new DeviceTensor[] {ws.gate, ws.up});
    addLora(lora, l, LoraTarget.GATE, ws.xb, ws.gate);
    addLora(lora, l, LoraTarget.UP, ws.xb, ws.up);
    backend.swiglu(ws.gate, ws.up, rows, ws.gate);
    backend.matmul(ws.gate, w.down(), null, rows, ws.xb2);
    addLora(lora, l, LoraTarget.DOWN, ws.gate, ws.xb2);
    backend.addInPlace(ws.x, ws.xb2, rows);
  }

  /** Adds each row's adapter delta after a base projection (one base matmul for every row). */
  private void addLora(LoraStep lora, int l, LoraTarget t, DeviceTensor x, DeviceTensor out) {
    if (lora != null) {
      LoraBatch b = lora.at(l, t);
      if (b != null) {
        backend.loraDelta(x, b, out);
      }
    }
  }

  /**
   * Frees an adapter's device copies; the registry calls this once no request holds the adapter
   * (see {@link dev.cairn.worker.lora.AdapterRegistry#start}).
   */
  public synchronized void releaseAdapter(LoraWeights adapter) {
    adapters.release(adapter);
  }

  /** Adapters whose weights are on the backend now. */
  public synchronized int adaptersOnDevice() {
    return adapters.size();
  }

  private float[][] logits(int[] rows) {
    int n = rows.length;
    if (n == 0) {
      return new float[0][];
    }
    if (n > logitCapacity) {
      logitCapacity = Math.max(n, logitCapacity * 2);
      normed = backend.allocate(logitCapacity, config.hiddenSize());
      logits = backend.allocate(logitCapacity, config.vocabSize());
    }
    backend.gatherRows(ws.x, rows, normed);
    backend.rmsNorm(normed, weights.norm(), (float) config.rmsNormEps(), n, normed);
    backend.matmul(normed, weights.lmHead(), null, n, logits);
    int vocab = config.vocabSize();
    float[][] out = new float[n][];
    for (int r = 0; r < n; r++) {
      out[r] = backend.read(logits, (long) r * vocab, vocab);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    backend.close();
    if (onClose != null) {
      try {
        onClose.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the model's weights failed", e);
      }
    }
  }
}
