package dev.cairn.worker.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class HugePageMemoryTest {

  @Test
  void buffersAreZeroedAlignedWritableAndFreedWhenUnreachable() {
    for (long bytes : new long[] {1000, 3L << 20, (5L << 20) + 12}) {
      for (int round = 0; round < 3; round++) {
        MemorySegment m = HugePageMemory.allocate(bytes);
        assertThat(m.byteSize()).isEqualTo(bytes);
        assertThat(m.address() % 64).isZero();
        for (long i = 0; i < bytes; i += 4093) {
          assertThat(m.get(ValueLayout.JAVA_BYTE, i)).as("byte %d of %d", i, bytes).isZero();
        }
        m.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
        m.fill((byte) 1);
        assertThat(m.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 1);
      }
      // The dropped buffers' cleanups (munmap) run on collection without harm.
      System.gc();
    }
  }

  @Test
  void aBufferOfAnArenaIsFreedWithIt() {
    MemorySegment m;
    try (Arena arena = Arena.ofConfined()) {
      m = HugePageMemory.allocate(5L << 20, arena);
      assertThat(m.get(ValueLayout.JAVA_BYTE, (5L << 20) - 1)).isZero();
      m.fill((byte) 3);
      assertThat(m.scope().isAlive()).isTrue();
    }
    assertThat(m.scope().isAlive()).isFalse();
  }
}
