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

  private static final String TWO =
      "[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Pa}ris\\\"]\", \"days\": [3, {\"a\": 1}]}}, "
          + "{\"name\": \"get_time\", \"arguments\": {}}]";

  @Test
  void aListOfCallsIsReadCallByCallWhateverTheChunks() {
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 2, 7}) {
      var r =
          ToolCallReaderTest.read(new ForcedCallReader(ToolCallReaderTest.ids(), true), TWO, chunk);
      assertThat(r.content()).as("chunk %d", chunk).isEmpty();
      assertThat(r.calls())
          .as("chunk %d", chunk)
          .containsExactly(
              "get_weather {\"city\": \"Pa}ris\\\"]\", \"days\": [3, {\"a\": 1}]}", "get_time {}");
    }
  }

  @Test
  void eachCallOfAListStartsWithItsOwnIndexAndId() {
    ForcedCallReader reader = new ForcedCallReader(ToolCallReaderTest.ids(), true);
    List<ToolCallEvent> events = new ArrayList<>(reader.feed(TWO));
    events.addAll(reader.finish());
    assertThat(events.stream().filter(e -> e instanceof ToolCallEvent.Start))
        .containsExactly(
            new ToolCallEvent.Start(0, "call_0", "get_weather"),
            new ToolCallEvent.Start(1, "call_1", "get_time"));
    assertThat(
            events.stream().filter(e -> e instanceof ToolCallEvent.Arguments a && a.index() == 1))
        .containsExactly(new ToolCallEvent.Arguments(1, "{}"));
  }

  @Test
  void aListCutShortKeepsItsWholeCallsAndTheStartedOnesBytes() {
    String cut = TWO.substring(0, TWO.indexOf("get_time") - 3);
    var r = ToolCallReaderTest.read(new ForcedCallReader(ToolCallReaderTest.ids(), true), cut, 4);
    assertThat(r.content()).isEmpty();
    assertThat(r.calls()).hasSize(1);
  }
}
