package dev.cairn.worker.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

  private final StopStringMatcher m = new StopStringMatcher(List.of("\n\n", "END"));

  @Test
  void holdsBackTheLongestSuffixThatCouldStartAStop() {
    assertThat(m.holdBack("text EN")).isEqualTo(2);
    assertThat(m.holdBack("text E")).isEqualTo(1);
    assertThat(m.holdBack("text\n")).isEqualTo(1);
    assertThat(m.holdBack("text")).isZero();
  }

  @Test
  void findsMatchesThatStartedBeforeTheNewText() {
    assertThat(m.findMatch("abcEND", 5)).isEqualTo(3);
    assertThat(m.findMatch("abcEN", 4)).isEqualTo(-1);
  }

  @Test
  void ignoresEmptyStopStrings() {
    StopStringMatcher empty = new StopStringMatcher(List.of(""));
    assertThat(empty.findMatch("abc", 0)).isEqualTo(-1);
    assertThat(empty.holdBack("abc")).isZero();
  }
}
