package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.MetricNames;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.server.fake.FakeModels;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Structured-output requests over HTTP against the fake engine: each accepted form reaches the
 * engine with a constraint attached, and every bad schema, regex or shape is a 400 in OpenAI's
 * error format naming the field and the problem.
 */
class StructuredRequestsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer(Optional.empty(), true);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "/v1/chat/completions|'response_format':{'type':'json_object'}|json_object",
        "/v1/completions|'response_format':{'type':'json_object'}|json_object",
        "/v1/chat/completions|'response_format':{'type':'json_schema','json_schema':{'name':'p',"
            + "'strict':true,'schema':{'type':'object','properties':{'a':{'type':'integer'}}}}}"
            + "|json_schema",
        "/v1/completions|'guided_json':{'type':'array','items':{'type':'boolean'}}|json_schema",
        "/v1/completions|'guided_json':'{\\\"type\\\":\\\"string\\\"}'|json_schema",
        "/v1/chat/completions|'guided_regex':'[a-z]+'|regex",
        "/v1/completions|'guided_choice':['yes','no']|choice",
        "/v1/chat/completions|'structured_outputs':{'choice':['a','b']}|choice",
        "/v1/completions|'structured_outputs':{'json':{'type':'number'}}|json_schema",
        "/v1/completions|'structured_outputs':{'regex':'\\\\d+'}|regex",
      })
  void everyFormReachesTheEngineConstrained(String path, String field, String type)
      throws Exception {
    double before = count(type);
    String prefix = path.contains("chat") ? USER : "{\"prompt\":\"x\"";
    for (boolean stream : new boolean[] {false, true}) {
      String body = prefix + "," + field.replace('\'', '"') + ",\"stream\":" + stream + "}";
      var r = server.post(path, body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      GenerationRequest sent = server.engine.submitted.getLast();
      assertThat(sent.params().constraint()).isNotNull();
      assertThat(sent.params().constraint().get()).isNotNull();
    }
    assertThat(count(type)).isEqualTo(before + 2);
  }

  @Test
  void textResponseFormatIsFreeSampling() throws Exception {
    var r =
        server.post(
            "/v1/completions", "{\"prompt\":\"x\",\"response_format\":{\"type\":\"text\"}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(server.engine.submitted.getLast().params().constraint()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // Schemas the compiler refuses: the keyword and its JSON path are named.
        "guided_json|{'type':'object','patternProperties':{'a':{}}}|patternProperties at /patternProperties",
        "guided_json|{'if':{},'then':{}}|if at /if",
        "guided_json|{'not':{'type':'string'}}|not at /not",
        "guided_json|{'type':'array','uniqueItems':true}|uniqueItems",
        "guided_json|{'type':'integer','multipleOf':3}|multipleOf",
        "guided_json|{'properties':{'a':{'type':'strin'}}}|type at /properties/a/type",
        "guided_json|{'type':'string','format':'ipv4'}|format at /format",
        "guided_json|{'$ref':'#/$defs/missing'}|$ref at /$ref",
        "guided_json|{'enum':[]}|enum at /enum",
        "guided_json|{'type':'string','minLength':5,'maxLength':2}|minLength",
        "guided_json|{'type':'integer','minimum':5,'maximum':2}|minimum",
        "guided_json|{'type':'array','minItems':3,'maxItems':1}|minItems",
        "guided_json|{'allOf':[{'type':'string'},{'minLength':1}]}|allOf",
        "guided_json|{'type':'string','pattern':'(?=a)b'}|look-ahead at /pattern",
        "guided_json|{'type':'string','pattern':'(a)\\\\1'}|back-reference",
        "guided_json|false|false",
        "guided_json|'{not json'|not valid JSON",
        "guided_json|3|must be a JSON Schema",
        "guided_regex|'a(?!b)'|look-ahead",
        "guided_regex|'(?<=a)b'|look-behind",
        "guided_regex|'a{2,1}'|quantifier",
        "guided_regex|'(ab'|group",
        "guided_regex|5|must be a string",
        "guided_choice|[]|non-empty array",
        "guided_choice|['a',1]|only strings",
        "response_format|{'type':'xml'}|'text', 'json_object' or 'json_schema'",
        "response_format|{'type':'json_schema'}|json_schema must be an object",
        "response_format|{'type':'json_schema','json_schema':{'name':'x'}}|schema is required",
        "response_format|{'type':'json_schema','json_schema':{'name':'x','schema':{'type':'object',"
            + "'properties':{'a':{'not':{}}}}}}|not at /properties/a/not",
        "structured_outputs|{'grammar':'root ::= x'}|structured_outputs.grammar",
        "structured_outputs|{'json':{},'regex':'a'}|exactly one",
      })
  void badConstraintsAre400sNamingTheProblem(String field, String value, String expected)
      throws Exception {
    String body = USER + ",\"" + field + "\":" + value.replace('\'', '"') + "}";
    var r = server.post("/v1/chat/completions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = JSON.readTree(r.body()).get("error");
    assertThat(error.get("param").asText()).isEqualTo(field);
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("message").asText()).contains(expected);
  }

  @Test
  void twoKindsAtOnceAndIgnoreEosAreRefused() throws Exception {
    var r =
        server.post(
            "/v1/completions",
            "{\"prompt\":\"x\",\"guided_regex\":\"a\",\"guided_choice\":[\"b\"]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Only one kind of structured output");
    r =
        server.post(
            "/v1/completions", "{\"prompt\":\"x\",\"guided_regex\":\"a\",\"ignore_eos\":true}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).at("/error/param").asText()).isEqualTo("ignore_eos");
  }

  private static double count(String type) {
    var c =
        FakeModels.METRICS
            .find(MetricNames.STRUCTURED_OUTPUT_REQUESTS)
            .tag(MetricNames.LABEL_TYPE, type)
            .counter();
    return c == null ? 0 : c.count();
  }
}
