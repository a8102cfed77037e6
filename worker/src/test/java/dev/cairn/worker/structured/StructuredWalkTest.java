package dev.cairn.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Random walks through the token masks over the tiny model's byte-level BPE vocabulary. */
class StructuredWalkTest {

  private static final TokenVocabulary VOCAB =
      TokenVocabulary.fromTokenizerJson(Path.of("../models/tiny-shakespeare/tokenizer.json"));
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private final ConstraintCompiler compiler = new ConstraintCompiler(64);

  @Test
  void twoHundredGeneratedSchemasProduceValidJson() throws Exception {
    SchemaGenerator generator = new SchemaGenerator(42);
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      JsonNode schema = generator.next();
      CompiledConstraint c = compiler.jsonSchema(schema);
      String text = RandomWalk.run(c, VOCAB, random);
      JsonNode value = MAPPER.readTree(text);
      JsonSchema validator = FACTORY.getSchema(schema, CONFIG);
      assertThat(validator.validate(value)).as("schema %s\noutput %s", schema, text).isEmpty();
    }
  }

  /**
   * Required tool calls with parallel calls allowed: every walk is a list of one or more calls,
   * each naming an offered function with arguments valid for it, and some walks hold several.
   */
  @Test
  void aListOfForcedCallsHoldsOneOrMoreValidCalls() throws Exception {
    JsonNode weather =
        MAPPER.readTree(
            "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\","
                + " \"maxLength\": 12}, \"days\": {\"type\": \"integer\"}}, \"required\":"
                + " [\"city\", \"days\"], \"additionalProperties\": false}");
    JsonNode time =
        MAPPER.readTree(
            "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}");
    var functions = new java.util.LinkedHashMap<String, JsonNode>();
    functions.put("get_weather", weather);
    functions.put("get_time", time);
    CompiledConstraint c = ToolCallGrammar.compile(compiler, functions, true);
    Random random = new Random(4);
    int several = 0;
    for (int i = 0; i < 40; i++) {
      String text = RandomWalk.run(c, VOCAB, random);
      JsonNode calls = MAPPER.readTree(text);
      assertThat(calls.isArray() && !calls.isEmpty()).as(text).isTrue();
      for (JsonNode call : calls) {
        String name = call.get("name").asText();
        JsonSchema validator = FACTORY.getSchema(functions.get(name), CONFIG);
        assertThat(validator.validate(call.get("arguments"))).as(text).isEmpty();
      }
      several += calls.size() > 1 ? 1 : 0;
    }
    assertThat(several).as("walks with more than one call").isPositive();
  }

  /**
   * Length bounds in the thousands (refused before lengths were counted: the unrolled automaton
   * passed 20,000 states from about 1,000 characters): walks end inside the bounds, and the masks
   * along them, cached by clamped counters, let no walk go past or stop short.
   */
  @Test
  void stringsOfThousandsOfCharactersKeepTheirBounds() throws Exception {
    JsonNode schema =
        MAPPER.readTree(
            "{\"type\": \"object\", \"properties\": {\"text\": {\"type\": \"string\","
                + " \"minLength\": 900, \"maxLength\": 1200}, \"note\": {\"type\":"
                + " \"string\", \"maxLength\": 5000}}, \"required\": [\"text\", \"note\"],"
                + " \"additionalProperties\": false}");
    for (JsonNode value : validWalks(schema, 4, new Random(9))) {
      String text = value.get("text").asText();
      assertThat(text.codePointCount(0, text.length())).isBetween(900, 1200);
    }
  }

  /** Item bounds in the thousands (refused above 1,000 before items were counted). */
  @Test
  void arraysOfThousandsOfItemsKeepTheirBounds() throws Exception {
    JsonNode schema =
        MAPPER.readTree(
            "{\"type\": \"array\", \"items\": {\"type\": \"integer\", \"minimum\": 0,"
                + " \"maximum\": 9}, \"minItems\": 150, \"maxItems\": 5000}");
    for (JsonNode value : validWalks(schema, 3, new Random(12))) {
      assertThat(value.size()).isBetween(150, 5000);
    }
  }

  /** {@code walks} random walks through {@code schema}'s masks, each validated against it. */
  private List<JsonNode> validWalks(JsonNode schema, int walks, Random random) throws Exception {
    CompiledConstraint c = compiler.jsonSchema(schema);
    JsonSchema validator = FACTORY.getSchema(schema, CONFIG);
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < walks; i++) {
      String text = RandomWalk.run(c, VOCAB, random);
      JsonNode value = MAPPER.readTree(text);
      assertThat(validator.validate(value)).as(text).isEmpty();
      out.add(value);
    }
    return out;
  }

  /** What OpenAI makes of a function without parameters: no property may appear. */
  @Test
  void anObjectThatAllowsNoPropertyIsEmpty() throws Exception {
    JsonNode schema =
        MAPPER.readTree(
            "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}");
    Random random = new Random(5);
    for (int i = 0; i < 20; i++) {
      String text = RandomWalk.run(compiler.jsonSchema(schema), VOCAB, random);
      assertThat(MAPPER.readTree(text)).as(text).isEqualTo(MAPPER.createObjectNode());
    }
  }

  @Test
  void jsonObjectIsAlwaysOneObject() throws Exception {
    Random random = new Random(2);
    for (int i = 0; i < 30; i++) {
      String text = RandomWalk.run(compiler.jsonObject(), VOCAB, random);
      assertThat(MAPPER.readTree(text).isObject()).as(text).isTrue();
    }
  }

  @Test
  void regexOutputsMatchFully() {
    Random random = new Random(3);
    for (String regex :
        List.of("[A-Z][a-z]{1,8}( [a-z]+){0,3}\\.", "\\d{3}-\\d{4}", "(yes|no|maybe)!?")) {
      for (int i = 0; i < 20; i++) {
        String text = RandomWalk.run(compiler.regex(regex), VOCAB, random);
        assertThat(Pattern.matches(regex, text)).as("/%s/ %s", regex, text).isTrue();
      }
    }
  }

  @Test
  void choiceOutputsAreOneOfTheChoices() {
    List<String> choices = List.of("positive", "negative", "neutral", "pos");
    Random random = new Random(4);
    for (int i = 0; i < 30; i++) {
      assertThat(choices).contains(RandomWalk.run(compiler.choice(choices), VOCAB, random));
    }
  }

  @Test
  void equalSchemasShareOneCompiledConstraint() throws Exception {
    JsonNode a =
        MAPPER.readTree("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}");
    JsonNode b =
        MAPPER.readTree("{\"properties\":{\"x\":{\"type\":\"integer\"}},\"type\":\"object\"}");
    assertThat(compiler.jsonSchema(a)).isSameAs(compiler.jsonSchema(b));
  }

  @Test
  void eosOnlyWhereCompleteAndRefusedTokensLeaveTheStateAlone() {
    ConstraintMatcher m = compiler.choice(List.of("ab")).newMatcher(VOCAB, RandomWalk.EOS);
    assertThat(m.accept(RandomWalk.EOS)).isFalse();
    int a = VOCAB.bytes(65) != null ? indexOf("a") : -1;
    assertThat(m.accept(indexOf("b"))).isFalse();
    assertThat(m.accept(a)).isTrue();
    assertThat(m.canEnd()).isFalse();
    assertThat(m.accept(indexOf("b"))).isTrue();
    assertThat(m.canEnd()).isTrue();
    assertThat(m.accept(RandomWalk.EOS)).isTrue();
    assertThat(m.isTerminated()).isTrue();
  }

  private static int indexOf(String text) {
    for (int id = 0; id < VOCAB.size(); id++) {
      if (VOCAB.bytes(id) != null && new String(VOCAB.bytes(id)).equals(text)) {
        return id;
      }
    }
    throw new IllegalArgumentException(text);
  }
}
