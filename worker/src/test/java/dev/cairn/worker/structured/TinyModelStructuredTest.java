package dev.cairn.worker.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.cairn.worker.backend.cpu.CpuBackend;
import dev.cairn.worker.engine.EngineConfig;
import dev.cairn.worker.engine.EngineProbe;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.GenerationRequest;
import dev.cairn.worker.engine.LlmEngine;
import dev.cairn.worker.engine.OutputCollector;
import dev.cairn.worker.engine.SamplingParams;
import dev.cairn.worker.engine.sampling.TokenConstraint;
import dev.cairn.worker.executor.TransformerExecutor;
import dev.cairn.worker.loading.HostWeights;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import dev.cairn.worker.testing.TestModels;
import dev.cairn.worker.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Constrained decoding through the real engine on the tiny Shakespeare model, which never writes
 * JSON by itself: at temperature 1 the masks alone must carry it to valid, complete output.
 */
class TinyModelStructuredTest {

  private static final int[] EOS = {511, 509};
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static Path modelDir;
  private static HfTokenizer tokenizer;
  private static TokenVocabulary vocab;
  private static TransformerExecutor executor;
  private static LlmEngine engine;
  private final ConstraintCompiler compiler = new ConstraintCompiler(256);

  @BeforeAll
  static void start() {
    modelDir = TestModels.tinyShakespeare();
    tokenizer = HfTokenizer.load(modelDir);
    vocab = TokenVocabulary.fromTokenizerJson(modelDir.resolve("tokenizer.json"));
    executor = HostWeights.load(modelDir, "auto").executorOn(new CpuBackend(), 1024);
    // The test queues every request of a batch at once (600 for the schemas), so the waiting
    // queue is unbounded here rather than the server's 2 x maxNumSeqs.
    EngineConfig config =
        new EngineConfig(
            64,
            2048,
            512,
            1024,
            executor.blockSize(),
            true,
            Set.of(511, 509),
            Integer.MAX_VALUE,
            Integer.MAX_VALUE - 64,
            0);
    engine = new LlmEngine(config, executor, tokenizer);
  }

  @AfterAll
  static void stop() {
    engine.close();
    executor.close();
    tokenizer.close();
  }

  @Test
  void twoHundredGeneratedSchemasAtTemperatureOneFinishValid() throws Exception {
    SchemaGenerator generator = new SchemaGenerator(42);
    List<JsonNode> schemas = new ArrayList<>();
    List<OutputCollector> outs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      JsonNode schema = generator.next();
      CompiledConstraint c = compiler.jsonSchema(schema);
      for (long seed = 0; seed < 3; seed++) {
        schemas.add(schema);
        outs.add(submit("s" + i + "-" + seed, sampled(seed, 480), c));
      }
    }
    int stopped = 0;
    for (int i = 0; i < outs.size(); i++) {
      OutputCollector out = outs.get(i).await();
      if (out.last().finishReason() == FinishReason.STOP) {
        stopped++;
        JsonNode value = MAPPER.readTree(out.text());
        assertThat(FACTORY.getSchema(schemas.get(i), CONFIG).validate(value))
            .as("schema %s\noutput %s", schemas.get(i), out.text())
            .isEmpty();
      }
    }
    System.out.printf("json_schema stop share: %d/%d%n", stopped, outs.size());
    assertThat(stopped).as("stop share of %d", outs.size()).isGreaterThanOrEqualTo(540);
    assertNoBlocksHeld();
  }

  @Test
  void jsonObjectRegexAndChoiceOutputsAreValidWhenTheyStop() throws Exception {
    int objects = stoppedValid(compiler.jsonObject(), 60, 400, t -> isObject(t));
    String regex = "[A-Z][a-z]{1,8}( [a-z]+){0,3}\\.";
    int regexes = stoppedValid(compiler.regex(regex), 30, 64, t -> Pattern.matches(regex, t));
    List<String> choices = List.of("positive", "negative", "neutral");
    int chosen = stoppedValid(compiler.choice(choices), 30, 16, choices::contains);
    // json_object has no size bound, so some outputs run into max_tokens; the share is reported.
    System.out.printf("json_object stop share: %d/60%n", objects);
    assertThat(objects).isGreaterThanOrEqualTo(20);
    assertThat(regexes).isEqualTo(30);
    assertThat(chosen).isEqualTo(30);
    assertNoBlocksHeld();
  }

  @Test
  void freeRequestsInAMixedBatchGetExactlyTheirTokensAlone() throws Exception {
    List<int[]> alone = new ArrayList<>();
    for (long seed = 0; seed < 4; seed++) {
      alone.add(submit("alone" + seed, sampled(seed, 40), null).await().tokens());
    }
    CompiledConstraint c = compiler.jsonObject();
    List<OutputCollector> free = new ArrayList<>();
    List<OutputCollector> constrained = new ArrayList<>();
    for (long seed = 0; seed < 4; seed++) {
      constrained.add(submit("c" + seed, sampled(seed, 40), c));
      free.add(submit("f" + seed, sampled(seed, 40), null));
    }
    for (int i = 0; i < 4; i++) {
      assertThat(free.get(i).await().tokens()).as("free %d", i).containsExactly(alone.get(i));
      constrained.get(i).await();
    }
    assertNoBlocksHeld();
  }

  @Test
  void abortingAConstrainedRequestReturnsItsBlocks() throws Exception {
    OutputCollector out = submit("abort", sampled(1, 400), compiler.jsonObject());
    engine.abort("abort");
    assertThat(out.await().last().finishReason()).isIn(FinishReason.ABORT, FinishReason.STOP);
    assertNoBlocksHeld();
  }

  private int stoppedValid(CompiledConstraint c, int count, int maxTokens, Predicate<String> valid)
      throws Exception {
    List<OutputCollector> outs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      outs.add(submit(c.key() + i, sampled(i, maxTokens), c));
    }
    int stopped = 0;
    for (OutputCollector out : outs) {
      if (out.await().last().finishReason() == FinishReason.STOP) {
        stopped++;
        assertThat(valid.test(out.text())).as(out.text()).isTrue();
      } else {
        assertThat(out.last().finishReason()).isEqualTo(FinishReason.LENGTH);
      }
    }
    return stopped;
  }

  private static boolean isObject(String text) {
    try {
      return MAPPER.readTree(text).isObject();
    } catch (Exception e) {
      return false;
    }
  }

  private static OutputCollector submit(String id, SamplingParams p, CompiledConstraint c) {
    int[] prompt = tokenizer.encode("JULIET:\nWhat's in a name?");
    Supplier<TokenConstraint> matcher = c == null ? null : () -> c.newMatcher(vocab, EOS);
    OutputCollector out = new OutputCollector();
    engine.submit(request(id, prompt, matcher == null ? p : p.withConstraint(matcher)), out);
    return out;
  }

  private static SamplingParams sampled(long seed, int maxTokens) {
    return new SamplingParams(
        1.0, 1.0, 0, 0.0, seed, 0.0, 0.0, 1.0, maxTokens, List.of(), Set.of(), false, null,
        Map.of(), null);
  }

  private static GenerationRequest request(String id, int[] prompt, SamplingParams params) {
    return new GenerationRequest(id, prompt, params, System.nanoTime());
  }

  private static void assertNoBlocksHeld() throws InterruptedException {
    assertThat(EngineProbe.kvUsageWhenIdle(engine)).isZero();
  }
}
