package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.tokenizer.ChatMessage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tools, tool_choice and tool messages as the chat endpoint reads them, and each bad shape's 400.
 */
class ToolRequestsTest {
  private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
  private static final String TOOLS =
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},"
          + "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]";

  private static OpenAiRequest chat(String fields) {
    return RequestParser.parse(
        Endpoint.CHAT_COMPLETIONS, "{" + fields + "}", SamplingDefaults.none());
  }

  @Test
  void toolChoiceDefaultsToAutoAndNamesAFunction() {
    ToolSpec auto = chat(USER + "," + TOOLS).tools();
    assertThat(auto.choice()).isEqualTo(ToolSpec.Choice.AUTO);
    assertThat(auto.functions()).containsOnlyKeys("get_weather", "now");
    assertThat(auto.template().get(0)).containsEntry("type", "function");
    // A function without parameters takes an empty object.
    assertThat(auto.functions().get("now").toString())
        .isEqualTo("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");
    ToolSpec named =
        chat(USER
                + ","
                + TOOLS
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"now\"}}")
            .tools();
    assertThat(named.forced()).isTrue();
    assertThat(named.forcedFunctions()).containsOnlyKeys("now");
    assertThat(chat(USER + "," + TOOLS + ",\"tool_choice\":\"required\"").tools().forcedFunctions())
        .hasSize(2);
    assertThat(chat(USER + ",\"tools\":[],\"tool_choice\":\"none\"").tools()).isNull();
  }

  @Test
  void callsAndResultsBecomeTemplateMessages() {
    var messages =
        chat("\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"now\",\"arguments\":\"{\\\"tz\\\":\\\"UTC\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"12:00\"}]")
            .messages();
    ChatMessage assistant = messages.get(1);
    assertThat(assistant.content()).isEmpty();
    @SuppressWarnings("unchecked")
    Map<String, Object> function =
        (Map<String, Object>) assistant.toolCalls().get(0).get("function");
    // Templates write arguments with tojson: an object, not the string the API carries.
    assertThat(function.get("arguments")).isEqualTo(Map.of("tz", "UTC"));
    assertThat(messages.get(2).toolCallId()).isEqualTo("call_1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        USER + ",'tool_choice':'auto'|tool_choice|only allowed when tools are specified",
        USER + ",'tools':{}|tools|must be an array",
        USER + ",'tools':[{'type':'code'}]|tools[0].type|must be {",
        USER
            + ",'tools':[{'type':'function','function':{'name':'a b'}}]|tools[0].function.name|"
            + "letters, digits",
        USER
            + ",'tools':[{'type':'function','function':{'name':'f','parameters':[]}}]|"
            + "tools[0].function.parameters|JSON Schema object",
        USER
            + ",'tools':[{'type':'function','function':{'name':'f'}},{'type':'function',"
            + "'function':{'name':'f'}}]|tools[1]|Duplicate function name 'f'",
        USER
            + ",'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':'any'|"
            + "tool_choice|must be 'none', 'auto', 'required'",
        USER
            + ",'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':{'type':"
            + "'function','function':{'name':'g'}}|tool_choice.function.name|not in tools",
        USER
            + ",'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':'required',"
            + "'response_format':{'type':'json_object'}|tool_choice|cannot be combined with"
            + " response_format",
        "'messages':[{'role':'tool','content':'r'}]|messages[0].tool_call_id|required on tool",
        "'messages':[{'role':'user','content':'r','tool_call_id':'c'}]|messages[0].tool_call_id|"
            + "only allowed on tool messages",
        "'messages':[{'role':'assistant','content':null,'tool_calls':[{'id':'c','type':"
            + "'function','function':{'name':'f','arguments':'{oops'}}]}]|"
            + "messages[0].tool_calls[0].function.arguments|must hold a JSON object",
        "'messages':[{'role':'assistant','content':null,'tool_calls':[{'id':'c'}]}]|"
            + "messages[0].tool_calls[0]|must be {",
      })
  void badToolFieldsAreRefusedByName(String fields, String param, String message) {
    assertThatThrownBy(() -> chat(fields.replace('\'', '"')))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.param()).isEqualTo(param);
              assertThat(e.getMessage()).contains(message);
            });
  }
}
