package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

  @Test
  void readsTheFirstByteOfEveryLineOfTheSpanAndNothingOutsideIt() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(64 * ReadAhead.LINE, 64);
      for (long line = 0; line < 64; line++) {
        s.set(ValueLayout.JAVA_BYTE, line * ReadAhead.LINE, (byte) line);
        s.set(ValueLayout.JAVA_BYTE, line * ReadAhead.LINE + 1, (byte) 100);
      }
      // lines 3..9: 3 + 4 + ... + 9
      assertThat(ReadAhead.lines(s, 3 * ReadAhead.LINE, 7 * ReadAhead.LINE)).isEqualTo(42);
      // a span ending inside a line reads that line's first byte too
      assertThat(ReadAhead.lines(s, 3 * ReadAhead.LINE, 6 * ReadAhead.LINE + 1)).isEqualTo(42);
      assertThat(ReadAhead.lines(s, 0, 0)).isZero();
    }
  }

  @Test
  void aSpanPastTheSegmentThrows() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment s = arena.allocate(4 * ReadAhead.LINE, 64);
      assertThatThrownBy(() -> ReadAhead.touch(s, 2 * ReadAhead.LINE, 3 * ReadAhead.LINE))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }
}
