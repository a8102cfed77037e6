package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.server.toolcall.ForcedCallReader;
import dev.cairn.worker.server.toolcall.ToolCallStream;
import dev.cairn.worker.server.toolcall.ToolCallSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Tool calls as chat JSON: OpenAI's streaming deltas and the whole message. */
class ToolCallChunksTest {
  private static final String CALL = "{\"name\": \"now\", \"arguments\": {\"tz\":\"UTC\"}}";

  @Test
  void aForcedCallStreamsItsHeaderThenArgumentFragments() {
    List<String> deltas = stream(new ForcedCallReader(ids()), CALL, 4, FinishReason.STOP);
    assertThat(deltas.get(0))
        .isEqualTo(
            "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_0\",\"type\":"
                + "\"function\",\"function\":{\"name\":\"now\",\"arguments\":\"\"}}]},"
                + "\"logprobs\":null,\"finish_reason\":null}");
    StringBuilder args = new StringBuilder();
    for (String d : deltas.subList(1, deltas.size())) {
      assertThat(d).doesNotContain("\"id\"").doesNotContain("\"name\"");
      args.append(fragment(d));
    }
    assertThat(args).hasToString("{\"tz\":\"UTC\"}");
    assertThat(deltas.getLast()).contains("\"finish_reason\":\"tool_calls\"");
  }

  @Test
  void autoStreamsContentThenTheCall() {
    String text =
        "Checking.\n<tool_call>\n{\"name\": \"now\", \"arguments\": {\"tz\": \"UTC\"}}\n</tool_call>";
    List<String> deltas =
        stream(ToolCallSyntax.HERMES.newReader(ids()), text, 3, FinishReason.STOP);
    assertThat(deltas.getFirst()).contains("\"content\":\"Che\"");
    String joined = String.join("\n", deltas);
    assertThat(joined).doesNotContain("<tool_call>").doesNotContain("\\n<");
    assertThat(joined).contains("\"name\":\"now\",\"arguments\":\"\"");
    assertThat(joined).contains("\"arguments\":\"{\\\"tz\\\":\\\"UTC\\\"}\"");
    assertThat(deltas.getLast()).contains("\"finish_reason\":\"tool_calls\"");
  }

  @Test
  void theWholeMessageHasNullContentAndTheCalls() {
    ChoiceState c = choice(new ForcedCallReader(ids()));
    c.add(out(CALL, FinishReason.STOP));
    ObjectNode message = ResponseFormat.F.objectNode();
    ToolCallChunks.message(message, c);
    assertThat(message.toString())
        .isEqualTo(
            "{\"content\":null,\"tool_calls\":[{\"id\":\"call_0\",\"type\":\"function\","
                + "\"function\":{\"name\":\"now\",\"arguments\":\"{\\\"tz\\\":\\\"UTC\\\"}\"}}]}");
    assertThat(ToolCallChunks.finishReason(c)).isEqualTo("tool_calls");
  }

  @Test
  void aCallCutShortFinishesWithLength() {
    ChoiceState c = choice(new ForcedCallReader(ids()));
    c.add(out(CALL.substring(0, 36), FinishReason.LENGTH));
    ToolCallChunks.message(ResponseFormat.F.objectNode(), c);
    assertThat(ToolCallChunks.finishReason(c)).isEqualTo("length");
  }

  /** The deltas of {@code text} sent {@code chunk} characters per engine output. */
  private static List<String> stream(
      dev.cairn.worker.server.toolcall.ToolCallReader reader,
      String text,
      int chunk,
      FinishReason finish) {
    ChoiceState c = choice(reader);
    List<String> deltas = new ArrayList<>();
    for (int i = 0; i < text.length(); i += chunk) {
      boolean last = i + chunk >= text.length();
      RequestOutput o =
          out(text.substring(i, Math.min(text.length(), i + chunk)), last ? finish : null);
      c.add(o);
      ToolCallChunks.deltas(c, o, false).forEach(d -> deltas.add(d.toString()));
    }
    return deltas;
  }

  private static String fragment(String delta) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(delta)
          .at("/delta/tool_calls/0/function/arguments")
          .asText();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ChoiceState choice(dev.cairn.worker.server.toolcall.ToolCallReader reader) {
    ChoiceState c = new ChoiceState(0, 0);
    c.tools = new ToolCallStream(reader);
    return c;
  }

  private static RequestOutput out(String text, FinishReason finish) {
    return new RequestOutput(
        "r", new int[] {1}, text, List.of(), List.of(), finish, null, null, 3, 1, null);
  }

  private static Supplier<String> ids() {
    int[] n = {0};
    return () -> "call_" + n[0]++;
  }
}
