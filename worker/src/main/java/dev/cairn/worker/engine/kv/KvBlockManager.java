package dev.cairn.worker.engine.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Paged KV-cache bookkeeping: a pool of fixed-size blocks, per-request block tables, reference
 * counts and (optionally) prefix caching of full blocks, after vLLM v1's {@code KVCacheManager}.
 *
 * <p>A full block is identified by a hash of its tokens chained with its parent block's hash, so a
 * hash names a whole prefix. Cached blocks whose reference count drops to 0 stay reusable until a
 * fresh block is needed, then the least recently freed one is evicted. Not thread-safe: only the
 * engine thread uses it.
 */
public final class KvBlockManager {

  private final int numBlocks;
  private final int blockSize;
  private final boolean prefixCaching;
  private final int[] refCounts;
  private final BlockKey[] blockKeys;
  // Blocks that never held a cached prefix: reused first, so cached prefixes live longer.
  private final ArrayDeque<Integer> freePlain = new ArrayDeque<>();
  // Free blocks that still hold a cached prefix, least recently freed first (eviction order).
  private final LinkedHashSet<Integer> freeCached = new LinkedHashSet<>();
  private final Map<Long, Integer> cachedByHash = new HashMap<>();
  private final Map<String, RequestBlocks> tables = new HashMap<>();
  private int numHeld;

  /** The identity of a cached full block; tokens kept so a hash collision can never alias. */
  private record BlockKey(long hash, long parentHash, int[] tokens) {}

  /** One request's block table and how many of its leading blocks are registered as cached. */
  private static final class RequestBlocks {
    final List<Integer> blocks = new ArrayList<>();
    int numHashed;
    long lastHash = ROOT_HASH;
  }

  private static final long ROOT_HASH = 0x9E3779B97F4A7C15L;

  public KvBlockManager(int numBlocks, int blockSize, boolean prefixCaching) {
    if (numBlocks <= 0) {
      throw new IllegalArgumentException("numKvBlocks must be > 0, got " + numBlocks);
    }
    if (blockSize <= 0) {
      throw new IllegalArgumentException("blockSize must be > 0, got " + blockSize);
    }
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.refCounts = new int[numBlocks];
    this.blockKeys = new BlockKey[numBlocks];
    for (int i = 0; i < numBlocks; i++) {
      freePlain.add(i);
    }
  }

  public int blockSize() {
    return blockSize;
  }

  public int numBlocks() {
    return numBlocks;
  }

  /** Blocks that can be handed out now (plain free plus evictable cached). */
  public int numFreeBlocks() {
    return freePlain.size() + freeCached.size();
  }

  /** Blocks referenced by at least one request. */
  public int numHeldBlocks() {
    return numHeld;
  }

  /** Fraction of the pool held by requests, 0–1; cached free blocks count as free. */
  public double usage() {
    return (double) numHeld / numBlocks;
  }

  public int refCount(int blockId) {
    return refCounts[blockId];
  }

  /** Blocks needed to hold {@code numTokens} token slots. */
  public int blocksFor(int numTokens) {
    return (numTokens + blockSize - 1) / blockSize;
  }

  /** The request's block table, in position order (empty when it holds none). */
  public int[] blockTable(String requestId) {
    RequestBlocks rb = tables.get(requestId);
    if (rb == null) {
      return new int[0];
    }
    return rb.blocks.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The longest cached run of full blocks that prefixes {@code tokens[0, numTokens)}; at most
   * {@code numTokens - 1} tokens are matched so the last token is always computed (its logits are
   * needed). Returns block ids in order; nothing is reserved until {@link #allocate}.
   */
  public List<Integer> findCachedPrefix(int[] tokens, int numTokens) {
    return findCachedPrefix(tokens, numTokens, 0);
  }

  /**
   * As {@link #findCachedPrefix(int[], int)} within {@code namespace}: blocks computed under one
   * namespace (a LoRA adapter's load; 0 = the base model) never match another's, since the adapter
   * changes every block's keys and values.
   */
  public List<Integer> findCachedPrefix(int[] tokens, int numTokens, long namespace) {
    List<Integer> hits = new ArrayList<>();
    if (!prefixCaching) {
      return hits;
    }
    int maxBlocks = (numTokens - 1) / blockSize;
    long parent = rootHash(namespace);
    for (int b = 0; b < maxBlocks; b++) {
      int[] blockTokens = Arrays.copyOfRange(tokens, b * blockSize, (b + 1) * blockSize);
      long hash = chainHash(parent, blockTokens);
      Integer id = cachedByHash.get(hash);
      if (id == null || !matches(blockKeys[id], parent, blockTokens)) {
        break;
      }
      hits.add(id);
      parent = hash;
    }
    return hits;
  }

  /**
   * Makes the request's table cover {@code numSlots} token slots. On first allocation {@code
   * cachedPrefix} (from {@link #findCachedPrefix}) becomes the table's head, shared by reference.
   *
   * @return false, changing nothing, when too few free blocks remain
   */
  public boolean allocate(String requestId, int numSlots, List<Integer> cachedPrefix) {
    return allocate(requestId, numSlots, cachedPrefix, 0);
  }

  /**
   * As {@link #allocate(String, int, List)}; a fresh table's blocks are cached under {@code
   * namespace} (see {@link #findCachedPrefix(int[], int, long)}).
   */
  public boolean allocate(
      String requestId, int numSlots, List<Integer> cachedPrefix, long namespace) {
    RequestBlocks rb = tables.get(requestId);
    boolean fresh = rb == null;
    List<Integer> prefix = fresh ? cachedPrefix : List.of();
    int have = fresh ? prefix.size() : rb.blocks.size();
    int needNew = Math.max(0, blocksFor(numSlots) - have);
    // Prefix hits that sit in the free cached set stop being free once taken.
    int prefixFromFree = 0;
    for (int id : prefix) {
      if (refCounts[id] == 0) {
        prefixFromFree++;
      }
    }
    if (needNew + prefixFromFree > numFreeBlocks()) {
      return false;
    }
    if (fresh) {
      rb = new RequestBlocks();
      rb.lastHash = rootHash(namespace);
      tables.put(requestId, rb);
      for (int id : prefix) {
        acquire(id);
        rb.blocks.add(id);
        rb.lastHash = blockKeys[id].hash();
      }
      rb.numHashed = prefix.size();
    }
    for (int i = 0; i < needNew; i++) {
      int id = takeFreshBlock();
      acquire(id);
      rb.blocks.add(id);
    }
    return true;
  }

  /**
   * Registers the request's newly filled full blocks in the prefix cache; {@code tokens[0,
   * numComputed)} have their KV written.
   */
  public void cacheFullBlocks(String requestId, int[] tokens, int numComputed) {
    RequestBlocks rb = tables.get(requestId);
    if (!prefixCaching || rb == null) {
      return;
    }
    int full = Math.min(numComputed / blockSize, rb.blocks.size());
    for (int b = rb.numHashed; b < full; b++) {
      int[] blockTokens = Arrays.copyOfRange(tokens, b * blockSize, (b + 1) * blockSize);
      long hash = chainHash(rb.lastHash, blockTokens);
      int id = rb.blocks.get(b);
      // Another request may have cached the same prefix first: keep that one, this block stays
      // private and returns to the plain free list when released.
      if (!cachedByHash.containsKey(hash)) {
        cachedByHash.put(hash, id);
        blockKeys[id] = new BlockKey(hash, rb.lastHash, blockTokens);
      }
      rb.lastHash = hash;
      rb.numHashed = b + 1;
    }
  }

  /** Releases every block of the request; cached ones stay reusable until evicted. */
  public void free(String requestId) {
    RequestBlocks rb = tables.remove(requestId);
    if (rb == null) {
      return;
    }
    // Tail first: the end of a sequence is the least likely to be shared, so it is evicted first.
    for (int i = rb.blocks.size() - 1; i >= 0; i--) {
      release(rb.blocks.get(i));
    }
  }

  /** Whether the request currently holds blocks. */
  public boolean holds(String requestId) {
    return tables.containsKey(requestId);
  }

  private void acquire(int id) {
    if (refCounts[id] == 0) {
      freeCached.remove(id);
      numHeld++;
    }
    refCounts[id]++;
  }

  private void release(int id) {
    refCounts[id]--;
    if (refCounts[id] == 0) {
      numHeld--;
      if (blockKeys[id] != null) {
        freeCached.add(id);
      } else {
        freePlain.add(id);
      }
    }
  }

  private int takeFreshBlock() {
    if (!freePlain.isEmpty()) {
      return freePlain.poll();
    }
    Iterator<Integer> lru = freeCached.iterator();
    int id = lru.next();
    lru.remove();
    cachedByHash.remove(blockKeys[id].hash());
    blockKeys[id] = null;
    return id;
  }

  private static boolean matches(BlockKey key, long parent, int[] tokens) {
    return key != null && key.parentHash() == parent && Arrays.equals(key.tokens(), tokens);
  }

  /** The parent hash of a namespace's first block: the base model keeps the plain root. */
  static long rootHash(long namespace) {
    return namespace == 0
        ? ROOT_HASH
        : chainHash(ROOT_HASH, new int[] {-1, (int) (namespace >>> 32), (int) namespace});
  }

  /** 64-bit FNV-1a style mix of the parent hash and the block's tokens. */
  static long chainHash(long parent, int[] tokens) {
    long h = parent ^ 0xCBF29CE484222325L;
    for (int t : tokens) {
      h ^= t;
      h *= 0x100000001B3L;
      h ^= h >>> 29;
    }
    return h == ROOT_HASH ? h + 1 : h;
  }
}
