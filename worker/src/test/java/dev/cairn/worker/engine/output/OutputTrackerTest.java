package dev.cairn.worker.engine.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.engine.FakeTokenizer;
import dev.cairn.worker.engine.FinishReason;
import dev.cairn.worker.engine.RequestOutput;
import dev.cairn.worker.engine.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutputTrackerTest {

  private final FakeTokenizer tokenizer = new FakeTokenizer();
  private static final int[] PROMPT = {'h', 'i', ' '};

  private static SamplingParams params(
      int maxTokens, List<String> stop, Set<Integer> stopIds, boolean ignoreEos) {
    return new SamplingParams(
        0, 1, 0, 0, null, 0, 0, 1, maxTokens, stop, stopIds, ignoreEos, null, Map.of(), null, null);
  }

  /** Feeds tokens one step at a time, as the engine does; returns every output. */
  private List<RequestOutput> feed(OutputTracker tracker, int[] tokens) {
    List<RequestOutput> outs = new ArrayList<>();
    for (int t : tokens) {
      FinishReason reason = tracker.accept(t, Double.NaN, new int[0], new double[0]);
      outs.add(tracker.takeOutput(reason, null));
      if (reason != null) {
        break;
      }
    }
    return outs;
  }

  private static String joined(List<RequestOutput> outs) {
    StringBuilder sb = new StringBuilder();
    outs.forEach(o -> sb.append(o.textDelta()));
    return sb.toString();
  }

  private OutputTracker tracker(SamplingParams p) {
    return new OutputTracker("r", tokenizer, p, PROMPT, Set.of(FakeTokenizer.EOS), 1000);
  }

  @Test
  void neverSplitsAMultiByteCharacterAcrossDeltas() {
    int[] tokens = tokenizer.encode("a€b😀"); // € is 3 bytes, 😀 is 4
    List<RequestOutput> outs = feed(tracker(params(100, List.of(), Set.of(), false)), tokens);
    for (RequestOutput o : outs) {
      assertThat(o.textDelta()).doesNotContain("\uFFFD");
    }
    assertThat(outs)
        .extracting(RequestOutput::textDelta)
        .containsExactly("a", "", "", "€", "b", "", "", "", "😀");
    assertThat(joined(outs)).isEqualTo("a€b😀");
  }

  @Test
  void stopStringSpanningTokensIsNeverLeaked() {
    int[] tokens = tokenizer.encode("one STOP two");
    List<RequestOutput> outs = feed(tracker(params(100, List.of("STOP"), Set.of(), false)), tokens);
    assertThat(outs.getLast().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(joined(outs)).isEqualTo("one ");
    for (RequestOutput o : outs) {
      assertThat(o.textDelta()).doesNotContain("S");
    }
    assertThat(outs.getLast().generatedTokens()).isEqualTo(8); // "one STOP" consumed
  }

  @Test
  void heldBackPartialMatchIsReleasedWhenItTurnsOutNotToBeAStop() {
    int[] tokens = tokenizer.encode("a STAR");
    List<RequestOutput> outs = feed(tracker(params(100, List.of("STOP"), Set.of(), false)), tokens);
    assertThat(outs)
        .extracting(RequestOutput::textDelta)
        .containsExactly("a", " ", "", "", "STA", "R");
  }

  @Test
  void heldBackTextIsFlushedAtMaxTokens() {
    int[] tokens = tokenizer.encode("xST");
    List<RequestOutput> outs = feed(tracker(params(3, List.of("STOP"), Set.of(), false)), tokens);
    assertThat(outs.getLast().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(joined(outs)).isEqualTo("xST");
  }

  @Test
  void earliestOfSeveralStopStringsWins() {
    int[] tokens = tokenizer.encode("abcdef");
    List<RequestOutput> outs =
        feed(tracker(params(100, List.of("def", "cd"), Set.of(), false)), tokens);
    assertThat(joined(outs)).isEqualTo("ab");
  }

  @Test
  void stopTokenIdsAndEosStopWithoutTheirText() {
    int[] tokens = {'o', 'k', '!', 'z'};
    List<RequestOutput> outs =
        feed(tracker(params(100, List.of(), Set.of((int) '!'), false)), tokens);
    assertThat(outs.getLast().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(joined(outs)).isEqualTo("ok");
    assertThat(outs.getLast().newTokenIds()).containsExactly('!');

    List<RequestOutput> eos =
        feed(
            tracker(params(100, List.of(), Set.of(), false)),
            new int[] {'o', FakeTokenizer.EOS, 'z'});
    assertThat(eos.getLast().finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(joined(eos)).isEqualTo("o");
  }

  @Test
  void ignoreEosKeepsGoingUntilMaxTokens() {
    int[] tokens = {'o', FakeTokenizer.EOS, 'z'};
    List<RequestOutput> outs = feed(tracker(params(3, List.of(), Set.of(), true)), tokens);
    assertThat(outs).hasSize(3);
    assertThat(outs.getLast().finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(joined(outs)).isEqualTo("oz"); // special tokens are skipped in text
  }

  @Test
  void maxModelLenEndsWithLength() {
    OutputTracker t =
        new OutputTracker(
            "r", tokenizer, params(100, List.of(), Set.of(), false), PROMPT, Set.of(), 5);
    List<RequestOutput> outs = feed(t, new int[] {'a', 'b', 'c'});
    assertThat(outs).hasSize(2);
    assertThat(outs.getLast().finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void abortReleasesPendingText() {
    OutputTracker t = tracker(params(100, List.of("STOP"), Set.of(), false));
    feed(t, tokenizer.encode("xS"));
    RequestOutput last = t.takeOutput(FinishReason.ABORT, null);
    assertThat(last.textDelta()).isEqualTo("S");
    assertThat(last.newTokenIds()).isEmpty();
  }
}
