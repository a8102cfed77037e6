package dev.cairn.operator.activator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.activator.ActivatorRoute;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Port allocation and edits of the activator's route table. */
class RouteTableTest {
  private static final int BASE = 10000;

  private static RouteTable table(Map<String, String> data, int ports) {
    return new RouteTable(data, BASE, ports);
  }

  private static ActivatorRoute put(RouteTable t, String ns, String name) {
    return t.put(ns, name, 100, 300, List.of());
  }

  @Test
  void newEntriesTakeTheLowestFreePortAndTheSameNameInTwoNamespacesGetsTwo() {
    RouteTable t = table(null, 10);
    assertThat(put(t, "team-a", "llama").port()).isEqualTo(10000);
    assertThat(put(t, "team-b", "llama").port()).isEqualTo(10001);
    assertThat(t.keys()).containsExactlyInAnyOrder("team-a.llama", "team-b.llama");
    assertThat(t.changed()).isTrue();
  }

  @Test
  void anEntryKeepsItsPortAcrossEditsAndReloads() {
    RouteTable first = table(null, 10);
    put(first, "team-a", "one");
    put(first, "team-a", "two");
    RouteTable reloaded = table(first.data(), 10);
    ActivatorRoute two = reloaded.put("team-a", "two", 5, 30, List.of("10.0.1.7:8000"));
    assertThat(two.port()).isEqualTo(10001);
    assertThat(two.targets()).containsExactly("10.0.1.7:8000");
    assertThat(two.queueSize()).isEqualTo(5);
  }

  @Test
  void anUnchangedEntryIsNoChange() {
    RouteTable first = table(null, 10);
    put(first, "team-a", "one");
    RouteTable again = table(first.data(), 10);
    put(again, "team-a", "one");
    assertThat(again.changed()).isFalse();
  }

  @Test
  void removingAnEntryFreesItsPortForTheNextNewOne() {
    RouteTable t = table(null, 10);
    put(t, "team-a", "one");
    put(t, "team-a", "two");
    RouteTable reloaded = table(t.data(), 10);
    reloaded.remove("team-a", "one");
    assertThat(reloaded.changed()).isTrue();
    assertThat(put(reloaded, "team-c", "three").port()).isEqualTo(10000);
  }

  @Test
  void removingOrRetainingWhatIsAbsentIsNoChange() {
    RouteTable t = table(null, 10);
    put(t, "team-a", "one");
    RouteTable reloaded = table(t.data(), 10);
    reloaded.remove("team-a", "gone");
    reloaded.retain(Set.of("team-a.one", "team-z.other"));
    assertThat(reloaded.changed()).isFalse();
  }

  @Test
  void retainDropsEveryOtherEntry() {
    RouteTable t = table(null, 10);
    put(t, "team-a", "one");
    put(t, "team-a", "two");
    put(t, "team-b", "three");
    t.retain(Set.of("team-a.two"));
    assertThat(t.keys()).containsExactly("team-a.two");
  }

  @Test
  void aFullRangeIsAClearError() {
    RouteTable t = table(null, 2);
    put(t, "a", "one");
    put(t, "a", "two");
    assertThatThrownBy(() -> put(t, "a", "three"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("10000..10001")
        .hasMessageContaining("cairn.activator.port-count");
  }

  @Test
  void anEntryThatDoesNotParseIsRewrittenWithAFreshPort() {
    RouteTable t = table(Map.of("team-a.one", "{not json"), 10);
    ActivatorRoute one = put(t, "team-a", "one");
    assertThat(one.port()).isEqualTo(10000);
    assertThat(t.data().get("team-a.one")).isEqualTo(one.toJson());
  }
}
