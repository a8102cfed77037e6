package dev.cairn.worker.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Prefix-cache blocks computed under one LoRA adapter (namespace) never serve another. */
class KvBlockNamespaceTest {

  private final KvBlockManager kv = new KvBlockManager(16, 4, true);
  private final int[] prompt = IntStream.range(100, 110).toArray(); // two full blocks + 2

  @Test
  void blocksCachedForAnAdapterServeOnlyThatAdapter() {
    kv.allocate("shouty", 10, List.of(), 7);
    kv.cacheFullBlocks("shouty", prompt, 10);
    int[] table = kv.blockTable("shouty");

    assertThat(kv.findCachedPrefix(prompt, 10, 7)).containsExactly(table[0], table[1]);
    assertThat(kv.findCachedPrefix(prompt, 10)).isEmpty();
    assertThat(kv.findCachedPrefix(prompt, 10, 8)).isEmpty();
    kv.free("shouty");
  }

  @Test
  void baseModelBlocksDoNotServeAnAdapter() {
    kv.allocate("base", 10, List.of());
    kv.cacheFullBlocks("base", prompt, 10);

    assertThat(kv.findCachedPrefix(prompt, 10)).hasSize(2);
    assertThat(kv.findCachedPrefix(prompt, 10, 7)).isEmpty();
    kv.free("base");
  }
}
