package dev.cairn.worker.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.backend.AttentionBatch;
import org.junit.jupiter.api.Test;

class AttentionLayoutTest {

  @Test
  void packsPaddedTablesThenChunkAndPositionOfEveryRow() {
    // Chunk 0: a decode step at position 20 (blocks 7, 3); chunk 1: a 3-token prefill from 0 (block
    // 5).
    AttentionBatch batch =
        new AttentionBatch(
            new int[] {0, 1},
            new int[] {1, 3},
            new int[] {20, 0},
            new int[][] {{7, 3}, {5}},
            16,
            4,
            2,
            32);

    AttentionLayout layout = AttentionLayout.of(batch);

    assertThat(layout.maxBlocks()).isEqualTo(2);
    assertThat(layout.seqOffset()).isEqualTo(4);
    assertThat(layout.posOffset()).isEqualTo(8);
    assertThat(layout.packed()).containsExactly(7, 3, 5, 0, 0, 1, 1, 1, 20, 0, 1, 2);
  }
}
