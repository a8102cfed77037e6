package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.lora.LoraWeights;
import dev.cairn.worker.model.ModelConfig;
import dev.cairn.worker.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hf:// LoRA adapters come from the hub with the model's token, only their two PEFT files. */
class AdapterDownloadTest {
  private static final String REPO = "cairn-test/shouty-lora";
  private static final String FIELD = "spec.lora.adapters[0].source";

  @TempDir Path cache;
  private FakeHub hub;
  private Path adapter;

  @BeforeEach
  void startHub() throws IOException {
    adapter = TestModels.repoRoot().resolve("models/tiny-shakespeare-lora/shouty");
    hub = new FakeHub(REPO).requireToken("hf_secret");
    for (String f : RepoKind.ADAPTER_FILES) {
      hub.file(f, Files.readAllBytes(adapter.resolve(f)));
    }
    hub.file("README.md", new byte[] {'#'});
    hub.file("adapter_model.bin", new byte[] {1, 2, 3});
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  private ModelResolver resolver() {
    HubSettings settings =
        new HubSettings(
            URI.create(hub.endpoint()),
            Optional.of("hf_secret"),
            cache,
            2,
            Duration.ofMillis(10),
            Duration.ofMillis(25),
            Duration.ofMillis(1_000),
            Duration.ofSeconds(5));
    return new ModelResolver(settings, cache.resolve("claims"));
  }

  @Test
  void downloadsTheTwoPeftFilesIntoTheCacheAndTheyLoad() throws IOException {
    Path dir = resolver().resolveAdapter("hf://" + REPO, FIELD);
    assertThat(dir)
        .isEqualTo(cache.resolve("models--cairn-test--shouty-lora/snapshots/" + FakeHub.COMMIT));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(RepoKind.ADAPTER_FILES);
    }
    for (String f : RepoKind.ADAPTER_FILES) {
      assertThat(dir.resolve(f)).hasSameBinaryContentAs(adapter.resolve(f));
    }
    assertThat(hub.requests())
        .allMatch(r -> r.authorization() == null || r.authorization().equals("Bearer hf_secret"));
    ModelConfig base = ModelConfig.load(TestModels.tinyShakespeare());
    assertThat(LoraWeights.load("shouty", dir, base, 8).rank()).isEqualTo(8);
    // A second resolve of the same revision reuses the snapshot.
    int before = hub.requests().size();
    assertThat(resolver().resolveAdapter("hf://" + REPO + "@" + FakeHub.COMMIT, FIELD))
        .isEqualTo(dir);
    assertThat(hub.requests()).hasSize(before);
  }

  @Test
  void aBinOnlyRepositoryIsRefused() throws IOException {
    hub.close();
    hub = new FakeHub(REPO);
    hub.file("adapter_config.json", Files.readAllBytes(adapter.resolve("adapter_config.json")));
    hub.file("adapter_model.bin", new byte[] {1, 2, 3});
    assertThatThrownBy(() -> resolver().resolveAdapter("hf://" + REPO, FIELD))
        .isInstanceOf(ModelDownloadException.class)
        .hasMessageContaining("has no safetensors weights");
  }

  @Test
  void anUnknownRepositoryIsNotFoundAndABadSourceNamesItsField() {
    assertThatThrownBy(() -> resolver().resolveAdapter("hf://cairn-test/missing", FIELD))
        .isInstanceOfSatisfying(
            ModelDownloadException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThatThrownBy(() -> resolver().resolveAdapter("s3://bucket/x", FIELD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(FIELD + ": invalid value 's3://bucket/x'");
  }
}
