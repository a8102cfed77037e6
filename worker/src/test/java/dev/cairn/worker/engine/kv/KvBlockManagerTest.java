package dev.cairn.worker.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KvBlockManagerTest {

  private KvBlockManager kv;

  private static int[] seq(int from, int len) {
    return IntStream.range(from, from + len).toArray();
  }

  @AfterEach
  void noLeaks() {
    assertThat(kv.numHeldBlocks()).isZero();
    assertThat(kv.usage()).isZero();
    assertThat(kv.numFreeBlocks()).isEqualTo(kv.numBlocks());
    for (int b = 0; b < kv.numBlocks(); b++) {
      assertThat(kv.refCount(b)).as("ref count of block %d", b).isZero();
    }
  }

  @Test
  void allocatesGrowsAndFrees() {
    kv = new KvBlockManager(4, 16, false);
    assertThat(kv.allocate("a", 17, List.of())).isTrue();
    assertThat(kv.blockTable("a")).hasSize(2);
    assertThat(kv.usage()).isEqualTo(0.5);
    assertThat(kv.allocate("a", 32, List.of())).isTrue();
    assertThat(kv.blockTable("a")).hasSize(2);
    assertThat(kv.allocate("a", 33, List.of())).isTrue();
    assertThat(kv.blockTable("a")).hasSize(3).doesNotHaveDuplicates();
    kv.free("a");
    assertThat(kv.holds("a")).isFalse();
  }

  @Test
  void refusesWithoutChangingAnythingWhenThePoolIsShort() {
    kv = new KvBlockManager(3, 16, false);
    assertThat(kv.allocate("a", 32, List.of())).isTrue();
    assertThat(kv.allocate("b", 32, List.of())).isFalse();
    assertThat(kv.holds("b")).isFalse();
    assertThat(kv.numFreeBlocks()).isEqualTo(1);
    kv.free("a");
  }

  @Test
  void sharesCachedPrefixBlocksByReference() {
    kv = new KvBlockManager(8, 4, true);
    int[] prompt = seq(100, 10); // two full blocks + 2 tokens
    assertThat(kv.findCachedPrefix(prompt, 10)).isEmpty();
    kv.allocate("a", 10, List.of());
    kv.cacheFullBlocks("a", prompt, 10);
    int[] tableA = kv.blockTable("a");

    List<Integer> hits = kv.findCachedPrefix(prompt, 10);
    assertThat(hits).containsExactly(tableA[0], tableA[1]);
    assertThat(kv.allocate("b", 10, hits)).isTrue();
    int[] tableB = kv.blockTable("b");
    assertThat(tableB[0]).isEqualTo(tableA[0]);
    assertThat(tableB[1]).isEqualTo(tableA[1]);
    assertThat(tableB[2]).isNotEqualTo(tableA[2]);
    assertThat(kv.refCount(tableA[0])).isEqualTo(2);
    assertThat(kv.numHeldBlocks()).isEqualTo(4);

    kv.free("a");
    assertThat(kv.refCount(tableA[0])).isEqualTo(1);
    kv.free("b");
    // Cached blocks are free (usage 0) yet still hit.
    assertThat(kv.findCachedPrefix(prompt, 10)).containsExactly(tableA[0], tableA[1]);
  }

  @Test
  void neverMatchesTheLastTokenSoItsLogitsAreComputed() {
    kv = new KvBlockManager(4, 4, true);
    int[] prompt = seq(1, 8);
    kv.allocate("a", 8, List.of());
    kv.cacheFullBlocks("a", prompt, 8);
    kv.free("a");
    assertThat(kv.findCachedPrefix(prompt, 8)).hasSize(1);
    assertThat(kv.findCachedPrefix(seq(1, 9), 9)).hasSize(2);
  }

  @Test
  void chainsHashesSoAnEqualBlockAfterADifferentPrefixDoesNotHit() {
    kv = new KvBlockManager(8, 4, true);
    int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int[] b = {9, 9, 9, 9, 5, 6, 7, 8, 9}; // second block equal to a's
    kv.allocate("a", 9, List.of());
    kv.cacheFullBlocks("a", a, 9);
    kv.free("a");
    assertThat(kv.findCachedPrefix(b, 9)).isEmpty();
    assertThat(KvBlockManager.chainHash(1, new int[] {5, 6, 7, 8}))
        .isNotEqualTo(KvBlockManager.chainHash(2, new int[] {5, 6, 7, 8}));
  }

  @Test
  void evictsTheLeastRecentlyFreedCachedBlockWhenAFreshOneIsNeeded() {
    kv = new KvBlockManager(2, 4, true);
    int[] first = seq(10, 5);
    int[] second = seq(50, 5);
    kv.allocate("a", 4, List.of());
    kv.cacheFullBlocks("a", first, 4);
    kv.free("a");
    kv.allocate("b", 4, List.of());
    kv.cacheFullBlocks("b", second, 4);
    kv.free("b");
    assertThat(kv.numFreeBlocks()).isEqualTo(2);
    assertThat(kv.findCachedPrefix(first, 5)).hasSize(1);
    assertThat(kv.findCachedPrefix(second, 5)).hasSize(1);

    kv.allocate("c", 4, List.of()); // evicts first's block (freed earlier)
    assertThat(kv.findCachedPrefix(first, 5)).isEmpty();
    assertThat(kv.findCachedPrefix(second, 5)).hasSize(1);
    kv.free("c");
  }

  @Test
  void takingACachedFreeBlockCountsAgainstTheFreePool() {
    kv = new KvBlockManager(2, 4, true);
    int[] prompt = seq(1, 5);
    kv.allocate("a", 4, List.of());
    kv.cacheFullBlocks("a", prompt, 4);
    kv.free("a");
    List<Integer> hits = kv.findCachedPrefix(prompt, 5);
    // Needs the cached block plus two more: three blocks from a pool of two.
    assertThat(kv.allocate("b", 12, hits)).isFalse();
    assertThat(kv.allocate("b", 8, hits)).isTrue();
    assertThat(kv.refCount(hits.get(0))).isEqualTo(1);
    kv.free("b");
  }

  @Test
  void keepsTheFirstCopyWhenTwoRequestsFillTheSamePrefix() {
    kv = new KvBlockManager(4, 4, true);
    int[] prompt = seq(1, 5);
    kv.allocate("a", 5, List.of());
    kv.allocate("b", 5, List.of());
    kv.cacheFullBlocks("a", prompt, 4);
    kv.cacheFullBlocks("b", prompt, 4);
    assertThat(kv.findCachedPrefix(prompt, 5)).containsExactly(kv.blockTable("a")[0]);
    kv.free("a");
    kv.free("b");
  }
}
