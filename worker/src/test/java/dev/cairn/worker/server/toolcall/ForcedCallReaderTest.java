package dev.cairn.worker.server.toolcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader of constrained calls: the name as soon as it is whole, then argument fragments. */
class ForcedCallReaderTest {
  private static final String CALL =
      "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}";

  @Test
  void theCallStartsWhenTheNameIsWholeAndArgumentsStreamAfter() {
    ForcedCallReader reader = new ForcedCallReader(ToolCallReaderTest.ids());
    List<ToolCallEvent> events = new ArrayList<>();
    int headerEnd = CALL.indexOf("{\"city");
    for (int i = 0; i < CALL.length(); i++) {
      List<ToolCallEvent> step = reader.feed(CALL.substring(i, i + 1));
      if (i < headerEnd - 1) {
        assertThat(step).as("at %d", i).isEmpty();
      } else if (i == headerEnd - 1) {
        assertThat(step).containsExactly(new ToolCallEvent.Start(0, "call_0", "get_weather"));
      }
      events.addAll(step);
    }
    events.addAll(reader.finish());
    assertThat(events.get(0)).isEqualTo(new ToolCallEvent.Start(0, "call_0", "get_weather"));
    StringBuilder args = new StringBuilder();
    for (ToolCallEvent e : events.subList(1, events.size())) {
      args.append(((ToolCallEvent.Arguments) e).fragment());
    }
    assertThat(args).hasToString("{\"city\": \"Paris\", \"days\": 3}");
    assertThat(events.size()).isGreaterThan(10);
  }

  @Test
  void wholeAndChunkedReadsAgree() {
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 5}) {
      var r = ToolCallReaderTest.read(new ForcedCallReader(ToolCallReaderTest.ids()), CALL, chunk);
      assertThat(r.content()).isEmpty();
      assertThat(r.calls()).containsExactly("get_weather {\"city\": \"Paris\", \"days\": 3}");
    }
  }

  @Test
  void aCallCutShortKeepsEveryArgumentByte() {
    String cut = CALL.substring(0, CALL.indexOf(", \"days"));
    var r = ToolCallReaderTest.read(new ForcedCallReader(ToolCallReaderTest.ids()), cut, 3);
    assertThat(r.calls()).containsExactly("get_weather {\"city\": \"Paris\"");
  }

  @Test
  void aNameCutShortIsContent() {
    var r =
        ToolCallReaderTest.read(
            new ForcedCallReader(ToolCallReaderTest.ids()), "{\"name\": \"get_we", 2);
    assertThat(r.calls()).isEmpty();
    assertThat(r.content()).isEqualTo("{\"name\": \"get_we");
  }
}
