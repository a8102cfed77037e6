package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownFactsTest {
  private static final WorkerFacts USED = new WorkerFacts("A", "bfloat16", "cpu", "none", 4);
  private static final WorkerFacts RESTARTED = new WorkerFacts("A", "bfloat16", "cpu", "none", 0);

  @Test
  void jsonModeStaysUsedAcrossACounterReset() {
    KnownFacts facts = new KnownFacts(Map.of());
    facts.observe("u1", RESTARTED);
    assertThat(facts.of("u1").jsonModeUsed()).isFalse();
    facts.observe("u1", USED);
    facts.observe("u1", RESTARTED);
    assertThat(facts.of("u1").jsonModeUsed()).isTrue();
    assertThat(facts.of("u1").architecture()).isEqualTo("A");
  }

  @Test
  void observeSaysWhenSomethingNewWasLearned() {
    KnownFacts facts = new KnownFacts(Map.of());
    assertThat(facts.observe("u1", RESTARTED)).isTrue();
    assertThat(facts.observe("u1", RESTARTED)).isFalse();
    assertThat(facts.observe("u1", USED)).isTrue();
    assertThat(facts.observe("u1", RESTARTED)).as("a counter reset is not news").isFalse();
  }

  @Test
  void persistedFactsSurviveARestartAndGoneDeploymentsAreForgotten() {
    KnownFacts before = new KnownFacts(Map.of());
    before.observe("u1", USED);
    before.observe("u2", RESTARTED);
    KnownFacts after = new KnownFacts(before.snapshot());
    assertThat(after.of("u1").jsonModeUsed()).isTrue();
    after.retain(Set.of("u1"));
    assertThat(after.of("u2")).isEqualTo(KnownFacts.Entry.UNKNOWN);
    assertThat(after.snapshot()).containsOnlyKeys("u1");
  }
}
