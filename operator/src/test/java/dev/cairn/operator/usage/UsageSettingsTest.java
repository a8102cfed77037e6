package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsageSettingsTest {
  private static UsageSettings settings(boolean enabled, Duration interval, Optional<URI> url) {
    Duration s = Duration.ofSeconds(1);
    return new UsageSettings(enabled, interval, s, url, s, 3, s, s, s);
  }

  @Test
  void startLineSaysWhetherWhereAndHowToTurnOff() {
    assertThat(settings(true, Duration.ofHours(1), Optional.empty()).startLine("ns/cm"))
        .contains("collected into ConfigMap ns/cm every PT1H")
        .contains("not sent anywhere")
        .contains("CAIRN_USAGE_STATS_ENABLED=false");
    assertThat(
            settings(true, Duration.ofHours(1), Optional.of(URI.create("https://x.example/u")))
                .startLine("ns/cm"))
        .contains("sent to https://x.example/u");
    assertThat(settings(false, Duration.ofHours(1), Optional.empty()).startLine("ns/cm"))
        .startsWith("usage statistics: off")
        .contains("nothing collected or sent");
  }

  @Test
  void badValuesAreRefusedByName() {
    assertThatThrownBy(() -> settings(true, Duration.ZERO, Optional.empty()))
        .hasMessageContaining("cairn.usage-stats.interval");
    assertThatThrownBy(
            () -> settings(true, Duration.ofHours(1), Optional.of(URI.create("ftp://x/"))))
        .hasMessageContaining("cairn.usage-stats.url");
  }
}
