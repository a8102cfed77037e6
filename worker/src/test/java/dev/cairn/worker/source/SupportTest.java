package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hashes, settings, progress and file selection. */
class SupportTest {

  @Test
  void gitBlobAndSha256HashesAreVerified(@TempDir Path dir) throws Exception {
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    // git hash-object of an empty file
    assertThat(ContentHash.mismatch(empty, "\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\""))
        .isEmpty();
    Path hello = Files.writeString(dir.resolve("hello"), "hello\n", StandardCharsets.UTF_8);
    // sha256sum of "hello\n"
    String sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    assertThat(ContentHash.mismatch(hello, sha)).isEmpty();
    assertThat(ContentHash.mismatch(hello, "W/\"" + sha.toUpperCase() + "\"")).isEmpty();
    assertThat(ContentHash.mismatch(hello, sha.replace('5', '6')))
        .get()
        .asString()
        .startsWith("sha256 mismatch");
    assertThat(ContentHash.mismatch(hello, "\"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\""))
        .get()
        .asString()
        .startsWith("git sha1 mismatch");
    assertThat(ContentHash.isVerifiable("\"abc-123\"")).isFalse();
  }

  @Test
  void settingsFromEnvironment() {
    HubSettings defaults = HubSettings.fromEnv(Map.of());
    assertThat(defaults.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(defaults.token()).isEmpty();

    HubSettings set =
        HubSettings.fromEnv(
            Map.of(
                "HF_ENDPOINT", "http://127.0.0.1:9999/",
                "HF_TOKEN", " hf_abc ",
                "CAIRN_MODEL_CACHE", "/var/cache/cairn"));
    assertThat(set.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9999"));
    assertThat(set.token()).contains("hf_abc");
    assertThat(set.cacheDir()).isEqualTo(Path.of("/var/cache/cairn"));
    assertThat(HubSettings.fromEnv(Map.of("HF_TOKEN", "")).token()).isEmpty();

    assertThatThrownBy(() -> HubSettings.fromEnv(Map.of("HF_ENDPOINT", "ftp://x")))
        .hasMessageContaining("HF_ENDPOINT");
  }

  @Test
  void backoffDoublesUpToTheCap() {
    HubSettings s =
        new HubSettings(
            URI.create("http://127.0.0.1"),
            java.util.Optional.empty(),
            Path.of("/tmp"),
            10,
            Duration.ofSeconds(2),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60),
            Duration.ofSeconds(30));
    assertThat(List.of(s.backoff(1), s.backoff(2), s.backoff(3), s.backoff(6), s.backoff(40)))
        .containsExactly(
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60));
  }

  @Test
  void progressRatioStaysBelowOneUntilComplete() {
    LoadProgress p = new LoadProgress();
    assertThat(p.ratio()).isZero();
    p.setTotalBytes(200);
    p.addBytes(50);
    assertThat(p.ratio()).isEqualTo(0.25);
    p.addBytes(150);
    assertThat(p.ratio()).isLessThan(1.0);
    p.addBytes(-100);
    assertThat(p.bytesDone()).isEqualTo(100);
    p.markComplete();
    assertThat(p.ratio()).isEqualTo(1.0);
    assertThat(p.isComplete()).isTrue();
  }

  @Test
  void progressIsLoggedEveryFivePercentOrTenSeconds() {
    LoadProgress p = new LoadProgress();
    p.setTotalBytes(1000);
    AtomicLong clock = new AtomicLong();
    ProgressLog log = new ProgressLog("hf://a/b@main", p, clock::get);
    assertThat(log.update()).isTrue(); // first call always logs
    p.addBytes(10);
    assertThat(log.update()).isFalse();
    p.addBytes(40);
    assertThat(log.update()).isTrue(); // 5%
    p.addBytes(1);
    clock.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(log.update()).isFalse();
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(log.update()).isTrue(); // 10 s later
  }

  @Test
  void selectionKeepsOnlyWhatTheWorkerReads() {
    assertThat(
            FileSelection.select(
                List.of(
                    ".gitattributes",
                    "README.md",
                    "config.json",
                    "model.safetensors",
                    "pytorch_model.bin",
                    "onnx/model.safetensors",
                    "tokenizer.json",
                    "special_tokens_map.json")))
        .containsExactly(
            "config.json", "tokenizer.json", "special_tokens_map.json", "model.safetensors");
    assertThat(
            FileSelection.select(
                List.of("model.safetensors.index.json", "consolidated.safetensors")))
        .containsExactly("model.safetensors.index.json");
    assertThat(FileSelection.select(List.of("a.safetensors", "sub/b.safetensors")))
        .containsExactly("a.safetensors");
  }
}
