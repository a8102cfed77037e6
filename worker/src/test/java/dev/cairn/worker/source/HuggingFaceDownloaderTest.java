package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.source.FakeHub.Fault;
import dev.cairn.worker.source.FakeHub.Request;
import dev.cairn.worker.source.ModelSource.HuggingFace;
import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceDownloaderTest {

  private static final String REPO = "cairn-test/tiny-shakespeare";
  private static final HuggingFace SOURCE = new HuggingFace(REPO, "main");
  private static final List<String> MODEL_FILES =
      List.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "model.safetensors");

  @TempDir Path cache;
  private FakeHub hub;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startHub() throws IOException {
    hub = new FakeHub(REPO);
    Path model = TestModels.tinyShakespeare();
    for (String file : MODEL_FILES) {
      hub.file(file, Files.readAllBytes(model.resolve(file)));
    }
    // Files the worker must not fetch.
    hub.file("README.md", Files.readAllBytes(model.resolve("README.md")));
    hub.file("model-bf16/model.safetensors", new byte[] {1, 2, 3});
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  private HuggingFaceDownloader downloader(Optional<String> token) {
    HubSettings settings =
        new HubSettings(
            URI.create(hub.endpoint()),
            token,
            cache,
            4,
            Duration.ofMillis(10),
            Duration.ofMillis(25),
            // Long enough that a loaded CI machine never trips it on a healthy transfer.
            Duration.ofMillis(1_000),
            Duration.ofSeconds(5));
    return new HuggingFaceDownloader(settings, sleeps::add, System::nanoTime);
  }

  private HuggingFaceDownloader downloader() {
    return downloader(Optional.empty());
  }

  private void assertSnapshotMatchesModel(Path snapshot) throws IOException {
    assertThat(snapshot)
        .isEqualTo(
            cache.resolve("models--cairn-test--tiny-shakespeare/snapshots/" + FakeHub.COMMIT));
    for (String file : MODEL_FILES) {
      assertThat(snapshot.resolve(file))
          .hasSameBinaryContentAs(TestModels.tinyShakespeare().resolve(file));
    }
    try (var listing = Files.list(snapshot)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(MODEL_FILES);
    }
  }

  @Test
  void downloadsTheModelFilesWithIntegrityAndReachesFullProgress() throws IOException {
    LoadProgress progress = new LoadProgress();
    Path snapshot = downloader().download(SOURCE, progress);

    assertSnapshotMatchesModel(snapshot);
    assertThat(ModelDirectory.check(snapshot).weightFiles()).hasSize(1);
    assertThat(progress.ratio()).isEqualTo(1.0);
    long total = 0;
    for (String file : MODEL_FILES) {
      total += Files.size(snapshot.resolve(file));
    }
    assertThat(progress.bytesTotal()).isEqualTo(total);
    assertThat(progress.bytesDone()).isEqualTo(total);
    assertThat(Files.readString(cache.resolve("models--cairn-test--tiny-shakespeare/refs/main")))
        .isEqualTo(FakeHub.COMMIT);
    assertThat(hub.requests())
        .noneMatch(r -> r.path().contains("README") || r.path().contains("model-bf16"));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void secondRunDownloadsNothing() throws IOException {
    downloader().download(SOURCE, new LoadProgress());
    int before = hub.requests().size();

    LoadProgress progress = new LoadProgress();
    Path snapshot = downloader().download(SOURCE, progress);

    assertSnapshotMatchesModel(snapshot);
    List<Request> later = hub.requests().subList(before, hub.requests().size());
    assertThat(later).extracting(Request::path).noneMatch(p -> p.contains("/resolve/"));
    assertThat(progress.ratio()).isEqualTo(1.0);

    // Pinned to the commit, a complete snapshot needs no request at all.
    int pinnedBefore = hub.requests().size();
    downloader().download(new HuggingFace(REPO, FakeHub.COMMIT), new LoadProgress());
    assertThat(hub.requests()).hasSize(pinnedBefore);
  }

  @Test
  void cachedSnapshotIsUsedWhenTheHubIsUnreachable() throws IOException {
    downloader().download(SOURCE, new LoadProgress());
    HuggingFaceDownloader offline = downloader();
    hub.close();

    assertSnapshotMatchesModel(offline.download(SOURCE, new LoadProgress()));
  }

  @Test
  void tokenIsRequiredAndNeverForwardedToTheCdn() throws IOException {
    hub.requireToken("secret-token");

    assertThatThrownBy(() -> downloader().download(SOURCE, new LoadProgress()))
        .isInstanceOf(ModelDownloadException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("HF_TOKEN");

    Path snapshot = downloader(Optional.of("secret-token")).download(SOURCE, new LoadProgress());
    assertSnapshotMatchesModel(snapshot);
    assertThat(hub.requests("hub", "GET"))
        .isNotEmpty()
        .allMatch(
            r -> r.authorization() == null || r.authorization().equals("Bearer secret-token"));
    assertThat(hub.requests("cdn", "GET"))
        .extracting(Request::path)
        .containsExactly("/blobs/model.safetensors");
    assertThat(hub.requests("cdn", "GET")).allMatch(r -> r.authorization() == null);
  }

  @Test
  void unknownRepositoryIsReportedAsNotFound() {
    assertThatThrownBy(
            () ->
                downloader()
                    .download(new HuggingFace("nobody/nothing", "main"), new LoadProgress()))
        .isInstanceOf(ModelDownloadException.class)
        .hasMessageContaining("hf://nobody/nothing@main was not found")
        .hasMessageContaining("revision");
    assertThat(sleeps).isEmpty();
  }

  @Test
  void droppedConnectionIsResumedWithRange() throws IOException {
    hub.fail("model.safetensors", Fault.DROP_MIDWAY);

    Path snapshot = downloader().download(SOURCE, new LoadProgress());

    assertSnapshotMatchesModel(snapshot);
    List<Request> blobs = hub.requests("cdn", "GET");
    assertThat(blobs).hasSize(2);
    assertThat(blobs.get(0).range()).isNull();
    long half = Files.size(snapshot.resolve("model.safetensors")) / 2;
    assertThat(blobs.get(1).range()).isEqualTo("bytes=" + half + "-");
    assertThat(sleeps).containsExactly(Duration.ofMillis(10));
  }

  @Test
  void stalledTransferTimesOutAndResumes() throws IOException {
    hub.stallMillis(4_000).fail("tokenizer.json", Fault.STALL);

    Path snapshot = downloader().download(SOURCE, new LoadProgress());

    assertSnapshotMatchesModel(snapshot);
    List<String> ranges =
        hub.requests("hub", "GET").stream()
            .filter(r -> r.path().endsWith("/tokenizer.json"))
            .map(Request::range)
            .toList();
    long half = Files.size(snapshot.resolve("tokenizer.json")) / 2;
    assertThat(ranges).containsExactly(null, "bytes=" + half + "-");
  }

  @Test
  void corruptedBytesAreDetectedDeletedAndFetchedAgain() throws IOException {
    hub.fail("model.safetensors", Fault.CORRUPT).fail("config.json", Fault.CORRUPT);
    LoadProgress progress = new LoadProgress();

    Path snapshot = downloader().download(SOURCE, progress);

    assertSnapshotMatchesModel(snapshot);
    // The corrupt copy is thrown away, not resumed: both retries start at byte 0.
    assertThat(hub.requests("cdn", "GET")).extracting(Request::range).containsExactly(null, null);
    assertThat(progress.bytesDone()).isEqualTo(progress.bytesTotal());
  }

  @Test
  void persistentCorruptionFailsClearly() {
    hub.fail("model.safetensors", Fault.CORRUPT, Fault.CORRUPT, Fault.CORRUPT, Fault.CORRUPT);

    assertThatThrownBy(() -> downloader().download(SOURCE, new LoadProgress()))
        .isInstanceOf(ModelDownloadException.class)
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining("after 4 attempts")
        .hasMessageContaining("sha256 mismatch");
    Path partial =
        cache.resolve(
            "models--cairn-test--tiny-shakespeare/snapshots/"
                + FakeHub.COMMIT
                + "/model.safetensors.incomplete");
    assertThat(partial).doesNotExist();
  }

  @Test
  void serverErrorsAreRetriedWithExponentialBackoff() throws IOException {
    hub.fail("generation_config.json", Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);

    assertSnapshotMatchesModel(downloader().download(SOURCE, new LoadProgress()));
    // 10 ms, doubled, capped at 25 ms.
    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(25));
  }

  @Test
  void shardedWeightsAreFetchedFromTheIndex() throws IOException {
    hub.close();
    hub = new FakeHub(REPO);
    Path model = TestModels.tinyShakespeare();
    for (String file : List.of("config.json", "tokenizer.json")) {
      hub.file(file, Files.readAllBytes(model.resolve(file)));
    }
    hub.file(
        "model.safetensors.index.json",
        """
        {"metadata": {"total_size": 6}, "weight_map": {
          "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors",
          "c": "model-00002-of-00002.safetensors"}}
        """
            .getBytes());
    hub.file("model-00001-of-00002.safetensors", new byte[] {1, 2, 3});
    hub.file("model-00002-of-00002.safetensors", new byte[] {4, 5, 6});
    hub.file("consolidated.safetensors", new byte[] {7, 7, 7});

    LoadProgress progress = new LoadProgress();
    Path snapshot = downloader().download(SOURCE, progress);

    assertThat(progress.bytesDone()).isEqualTo(progress.bytesTotal());
    assertThat(ModelDirectory.check(snapshot).weightFiles())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    assertThat(snapshot.resolve("consolidated.safetensors")).doesNotExist();
  }
}
