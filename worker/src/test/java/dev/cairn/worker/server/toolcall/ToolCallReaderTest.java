package dev.cairn.worker.server.toolcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The readers of models' own tool-call formats on recorded outputs of Qwen2.5 (Hermes tags) and
 * Llama 3.1 (JSON): the calls and content found, the same whether the text arrives whole or a few
 * characters at a time, with every call's start before its arguments.
 */
class ToolCallReaderTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "HERMES|qwen2.5-one-call.txt|``|"
            + "get_current_weather {\"location\":\"Boston, MA\",\"unit\":\"fahrenheit\"}",
        "HERMES|qwen2.5-two-calls.txt|``|get_current_temperature"
            + " {\"location\":\"San Francisco, CA, USA\",\"unit\":\"celsius\"};get_temperature_date"
            + " {\"location\":\"San Francisco, CA, USA\",\"date\":\"2024-10-01\",\"unit\":\"celsius\"}",
        "HERMES|qwen2.5-text-then-call.txt|I will look up the current weather in Paris for you.|"
            + "get_current_weather {\"location\":\"Paris, France\"}",
        "HERMES|qwen2.5-unclosed.txt|``|"
            + "search_flights {\"from\":\"SFO\",\"to\":\"JFK\",\"passengers\":2}",
        "LLAMA3_JSON|llama3.1-one-call.txt|``|"
            + "get_current_weather {\"location\":\"Boston, MA\",\"unit\":\"fahrenheit\"}",
        "LLAMA3_JSON|llama3.1-python-tag.txt|``|"
            + "get_current_weather {\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}",
        "LLAMA3_JSON|llama3.1-two-calls.txt|``|get_current_weather"
            + " {\"location\":\"Paris; France\"};get_time {\"timezone\":\"Europe/Paris\"}",
      })
  void findsTheRecordedCalls(String syntax, String file, String content, String calls)
      throws IOException {
    String text = recorded(file);
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 2, 3, 7}) {
      Result r = read(ToolCallSyntax.valueOf(syntax), text, chunk);
      assertThat(r.content).as("chunk %d", chunk).isEqualTo(content);
      assertThat(String.join(";", r.calls)).as("chunk %d", chunk).isEqualTo(calls);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "HERMES, qwen2.5-plain.txt",
    "HERMES, qwen2.5-broken.txt",
    "LLAMA3_JSON, llama3.1-plain.txt",
    "LLAMA3_JSON, llama3.1-json-not-call.txt",
  })
  void textThatIsNoCallStaysContent(String syntax, String file) throws IOException {
    String text = recorded(file);
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 4}) {
      Result r = read(ToolCallSyntax.valueOf(syntax), text, chunk);
      assertThat(r.calls).isEmpty();
      assertThat(r.content).isEqualTo(text);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '#',
      value = {
        "{%- if tools %}<tool_call>{%- endif %}#HERMES",
        "{{- '<|python_tag|>' }}#LLAMA3_JSON",
        "{%- for t in tools %}{\"name\": ..., \"parameters\": ...}{%- endfor %}#LLAMA3_JSON",
        "{%- for t in tools %}{{ t }}{%- endfor %}#",
        "{% for message in messages %}{{ message.content }}{% endfor %}#",
      })
  void theTemplateNamesTheSyntax(String template, String syntax) {
    assertThat(ToolCallSyntax.detect(template))
        .isEqualTo(syntax == null ? null : ToolCallSyntax.valueOf(syntax));
  }

  /** Content and calls ("name args") read from text fed {@code chunk} characters at a time. */
  static Result read(ToolCallSyntax syntax, String text, int chunk) {
    return read(syntax.newReader(ids()), text, chunk);
  }

  static Result read(ToolCallReader reader, String text, int chunk) {
    ToolCallStream stream = new ToolCallStream(reader);
    List<ToolCallEvent> events = new ArrayList<>();
    for (int i = 0; i < text.length(); i += chunk) {
      events.addAll(
          stream.feed(text.substring(i, (int) Math.min(text.length(), (long) i + chunk))));
    }
    events.addAll(stream.finish());
    List<Integer> started = new ArrayList<>();
    for (ToolCallEvent e : events) {
      if (e instanceof ToolCallEvent.Start s) {
        assertThat(s.index()).isEqualTo(started.size());
        assertThat(s.id()).startsWith("call_");
        started.add(s.index());
      } else if (e instanceof ToolCallEvent.Arguments a) {
        assertThat(started).contains(a.index());
      }
    }
    List<String> calls = new ArrayList<>();
    stream.calls().forEach(c -> calls.add(c.name() + " " + c.arguments()));
    return new Result(stream.content(), calls);
  }

  record Result(String content, List<String> calls) {}

  static Supplier<String> ids() {
    int[] n = {0};
    return () -> "call_" + n[0]++;
  }

  static String recorded(String file) throws IOException {
    try (InputStream in = ToolCallReaderTest.class.getResourceAsStream("/tool-calls/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
