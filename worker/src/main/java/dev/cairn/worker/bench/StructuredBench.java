package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.worker.structured.CompiledConstraint;
import dev.cairn.worker.structured.ConstraintCompiler;
import dev.cairn.worker.structured.ConstraintMatcher;
import dev.cairn.worker.structured.mask.TokenVocabulary;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Structured-output costs: schema compile time (p50/p99) for a moderately complex schema, and token
 * mask time per step over a generated 151,936-token byte-level vocabulary (cold: every state new to
 * the mask cache; warm: the same walk again). Run: {@code java -cp ...
 * dev.cairn.worker.bench.StructuredBench}.
 */
public final class StructuredBench {

  static final int VOCAB_SIZE = 151_936;
  static final String SCHEMA =
      """
      {"type":"object","properties":{
        "id":{"type":"string","format":"uuid"},
        "name":{"type":"string","minLength":1,"maxLength":40},
        "email":{"type":"string","format":"email"},
        "age":{"type":"integer","minimum":0,"maximum":150},
        "score":{"type":"number","minimum":-10.5,"maximum":99.5},
        "tags":{"type":"array","items":{"type":"string","maxLength":12},"maxItems":5},
        "status":{"enum":["active","inactive","banned"]},
        "address":{"type":"object","properties":{"street":{"type":"string"},
           "zip":{"type":"string","pattern":"^[0-9]{5}$"},"country":{"const":"NL"}},
           "required":["street","zip"],"additionalProperties":false},
        "created":{"type":"string","format":"date-time"},
        "parent":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/ref"}]}},
       "required":["id","name","age","tags","status"],"additionalProperties":false,
       "$defs":{"ref":{"type":"object","properties":{"id":{"type":"string","format":"uuid"},
          "children":{"type":"array","items":{"$ref":"#/$defs/ref"},"maxItems":3}},"required":["id"]}}}
      """;

  private StructuredBench() {}

  public static void main(String[] args) throws Exception {
    JsonNode schema = new ObjectMapper().readTree(SCHEMA);
    long[][] compile = compileTimesWallAndCpu(schema, 200);
    System.out.printf(
        "compile: p50 %.2f ms, p99 %.2f ms (thread CPU: p50 %.2f ms, p99 %.2f ms)%n",
        compile[0][100] / 1e6, compile[0][198] / 1e6, compile[1][100] / 1e6, compile[1][198] / 1e6);
    TokenVocabulary vocab = TokenVocabulary.of(generateVocabulary(VOCAB_SIZE));
    System.out.printf("vocabulary: %d tokens, %d trie nodes%n", vocab.size(), vocab.nodeCount());
    CompiledConstraint c = new ConstraintCompiler(1).jsonSchema(schema);
    for (String pass : List.of("cold", "warm")) {
      long[][] steps = walk(c, vocab, new Random(5));
      print("mask " + pass, steps[0]);
      print("mask " + pass + " cpu", steps[1]);
    }
  }

  private static void print(String label, long[] steps) {
    Arrays.sort(steps);
    double mean = Arrays.stream(steps).average().orElse(0) / 1e3;
    System.out.printf(
        "%s: %d steps, mean %.0f us, p50 %.0f us, p99 %.0f us, max %.0f us%n",
        label,
        steps.length,
        mean,
        steps[steps.length / 2] / 1e3,
        steps[steps.length * 99 / 100] / 1e3,
        steps[steps.length - 1] / 1e3);
  }

  /**
   * {Wall, thread CPU} nanoseconds of {@code n} compiles of {@code schema}, each by a fresh
   * compiler (no cache hit), after 100 unmeasured ones (a serving process's JIT is warm: the first
   * compiles of a fresh JVM measure C2, not the compiler); each sorted ascending. On a shared
   * machine the CPU time leaves out the time other processes hold the core, most of a loaded
   * machine's wall p99.
   */
  static long[][] compileTimesWallAndCpu(JsonNode schema, int n) {
    for (int i = 0; i < 100; i++) {
      new ConstraintCompiler(1).jsonSchema(schema);
    }
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long[] wall = new long[n];
    long[] cpu = new long[n];
    for (int i = 0; i < n; i++) {
      long c0 = mx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      new ConstraintCompiler(1).jsonSchema(schema);
      wall[i] = System.nanoTime() - t0;
      cpu[i] = mx.getCurrentThreadCpuTime() - c0;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new long[][] {wall, cpu};
  }

  /**
   * Random walk through the masks; returns the fillMask wall time of every step and its thread CPU
   * time (on a shared machine the CPU time leaves out the time other processes hold the core).
   */
  private static long[][] walk(CompiledConstraint c, TokenVocabulary vocab, Random random) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Long> cpu = new ArrayList<>();
    int eos = 0; // token 0 doubles as EOS: the bench never emits it as text
    ConstraintMatcher m = c.newMatcher(vocab, eos);
    long[] mask = new long[(vocab.size() + 63) / 64];
    List<Long> times = new ArrayList<>();
    while (!m.isTerminated() && times.size() < 2000) {
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      m.fillMask(mask);
      times.add(System.nanoTime() - t0);
      cpu.add(threads.getCurrentThreadCpuTime() - c0);
      List<Integer> allowed = new ArrayList<>();
      for (int id = 0; id < vocab.size(); id++) {
        if ((mask[id >>> 6] & 1L << id) != 0) {
          allowed.add(id);
        }
      }
      int token = allowed.contains(eos) ? eos : preferShort(allowed, vocab, random, times.size());
      m.accept(token);
    }
    return new long[][] {
      times.stream().mapToLong(Long::longValue).toArray(),
      cpu.stream().mapToLong(Long::longValue).toArray()
    };
  }

  /** Prefers closing tokens after a while so the walk ends, as a model eventually does. */
  private static int preferShort(
      List<Integer> allowed, TokenVocabulary vocab, Random random, int step) {
    if (step > 40) {
      List<Integer> closing =
          allowed.stream()
              .filter(
                  t ->
                      new String(vocab.bytes(t), StandardCharsets.ISO_8859_1)
                          .matches(".*[\"}\\]].*"))
              .toList();
      if (!closing.isEmpty()) {
        return closing.get(random.nextInt(closing.size()));
      }
    }
    return allowed.get(random.nextInt(allowed.size()));
  }

  /**
   * A byte-level-BPE-like vocabulary, deterministic (seed 151936): the 256 single bytes, then
   * distinct tokens drawn from word pieces (lower/capitalised, half with a leading space), digit
   * runs, whitespace runs, JSON punctuation clusters and multi-byte UTF-8 letters, until the size.
   */
  static byte[][] generateVocabulary(int size) {
    Random random = new Random(size);
    Set<String> seen = new HashSet<>();
    byte[][] out = new byte[size][];
    for (int b = 0; b < 256; b++) {
      out[b] = new byte[] {(byte) b};
      seen.add(new String(out[b], StandardCharsets.ISO_8859_1));
    }
    String letters = "etaoinshrdlcumwfgypbvkjxqz";
    String[] punct = {
      "\"", "\":", "\",", "{\"", "}", "},", "[", "]", "\":\"", ", ", ": ", "\n", "  ", "\"}"
    };
    int id = 256;
    while (id < size) {
      StringBuilder sb = new StringBuilder();
      switch (random.nextInt(10)) {
        case 0 -> sb.append(String.valueOf(random.nextInt(1000)));
        case 1 -> sb.append(" ".repeat(1 + random.nextInt(16)));
        case 2 ->
            sb.append(punct[random.nextInt(punct.length)])
                .append(punct[random.nextInt(punct.length)]);
        case 3 ->
            sb.append((char) (0xE0 + random.nextInt(30)))
                .append((char) (0x430 + random.nextInt(30)));
        default -> {
          if (random.nextBoolean()) {
            sb.append(' ');
          }
          int len = 1 + Math.min(random.nextInt(6), random.nextInt(12));
          for (int i = 0; i < len; i++) {
            char ch = letters.charAt((int) Math.min(25, Math.abs(random.nextGaussian()) * 8));
            sb.append(i == 0 && random.nextInt(5) == 0 ? Character.toUpperCase(ch) : ch);
          }
        }
      }
      if (seen.add(sb.toString())) {
        out[id++] = sb.toString().getBytes(StandardCharsets.UTF_8);
      }
    }
    return out;
  }
}
