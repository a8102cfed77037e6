package dev.cairn.operator.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sender against a real receiver on loopback: retry bound, timeouts, no queue. */
class UsageSenderTest {
  private static final Duration GUARD = Duration.ofSeconds(30);

  @Test
  void deliversTheBodyOnce() {
    try (UsageReceiver receiver = UsageReceiver.start(0);
        UsageSender sender =
            new UsageSender(receiver.uri(), Duration.ofSeconds(2), 3, Duration.ofMillis(50))) {
      assertThat(sender.offer("{\"schemaVersion\":1}")).isTrue();
      await().atMost(GUARD).until(() -> receiver.count() == 1);
      assertThat(receiver.bodies()).containsExactly("{\"schemaVersion\":1}");
    }
  }

  @Test
  void aServerErrorIsRetriedUpToTheBoundAndNoMore() throws InterruptedException {
    try (UsageReceiver receiver = UsageReceiver.start(0);
        UsageSender sender =
            new UsageSender(receiver.uri(), Duration.ofSeconds(2), 3, Duration.ofMillis(50))) {
      receiver.answer(UsageReceiver.Mode.ERROR_500);
      sender.offer("{}");
      await().atMost(GUARD).until(() -> receiver.count() == 3);
      await().atMost(GUARD).until(() -> sender.offer("{}"));
      await().atMost(GUARD).until(() -> receiver.count() == 6);
      Thread.sleep(500);
      assertThat(receiver.count()).isEqualTo(6);
    }
  }

  @Test
  void aSlowReceiverTimesOutAndReportsOfferedMeanwhileAreDropped() {
    try (UsageReceiver receiver = UsageReceiver.start(0);
        UsageSender sender =
            new UsageSender(receiver.uri(), Duration.ofMillis(300), 2, Duration.ofMillis(50))) {
      receiver.answer(UsageReceiver.Mode.SLOW);
      assertThat(sender.offer("{}")).isTrue();
      assertThat(sender.offer("{}")).as("dropped while the first is in flight").isFalse();
      // Two attempts, each cut at 300 ms, long before the receiver's 10 s answer.
      await().atMost(Duration.ofSeconds(5)).until(() -> receiver.count() == 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> sender.offer("{}"));
    }
  }

  @Test
  void nothingListeningCostsTheAttemptsAndNoException() {
    URI nowhere;
    try (UsageReceiver receiver = UsageReceiver.start(0)) {
      nowhere = receiver.uri();
    }
    try (UsageSender sender =
        new UsageSender(nowhere, Duration.ofMillis(500), 2, Duration.ofMillis(20))) {
      assertThat(sender.offer("{}")).isTrue();
      await().atMost(GUARD).until(() -> sender.offer("{}"));
    }
  }
}
