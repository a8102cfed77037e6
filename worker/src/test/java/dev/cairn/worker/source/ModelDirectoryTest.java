package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

  @Test
  void theTinyModelIsComplete() {
    ModelDirectory dir = ModelDirectory.check(TestModels.tinyShakespeare());
    assertThat(dir.weightFiles())
        .containsExactly(TestModels.tinyShakespeare().resolve("model.safetensors"));
  }

  @Test
  void listsEverythingMissing(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    assertThatThrownBy(() -> ModelDirectory.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining(
            "missing: config.json, tokenizer.json, model.safetensors or"
                + " model.safetensors.index.json");
  }

  @Test
  void shardsListedInTheIndexMustAllBePresent(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.writeString(
        dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"a\": \"model-00002-of-00002.safetensors\","
            + " \"b\": \"model-00001-of-00002.safetensors\"}}");
    Files.write(dir.resolve("model-00001-of-00002.safetensors"), new byte[1]);
    assertThatThrownBy(() -> ModelDirectory.check(dir))
        .hasMessageContaining(
            "missing: model-00002-of-00002.safetensors (listed in model.safetensors.index.json)");

    Files.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[1]);
    assertThat(ModelDirectory.check(dir).weightFiles())
        .containsExactly(
            dir.resolve("model-00001-of-00002.safetensors"),
            dir.resolve("model-00002-of-00002.safetensors"));
  }

  @Test
  void missingDirectoryIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> ModelDirectory.check(dir.resolve("nope")))
        .hasMessageContaining("nope")
        .hasMessageContaining("does not exist");
  }

  @Test
  void resolverChecksLocalAndPvcSources(@TempDir Path mounts) throws Exception {
    ModelResolver resolver = new ModelResolver(HubSettings.fromEnv(java.util.Map.of()), mounts);
    LoadProgress progress = new LoadProgress();
    ModelDirectory local = resolver.resolve("file:" + TestModels.tinyShakespeare(), progress);
    assertThat(local.path()).isEqualTo(TestModels.tinyShakespeare());
    assertThat(progress.ratio()).isEqualTo(1.0);

    Path claimDir = Files.createDirectories(mounts.resolve("claim/tiny"));
    for (String f : new String[] {"config.json", "tokenizer.json", "model.safetensors"}) {
      Files.copy(TestModels.tinyShakespeare().resolve(f), claimDir.resolve(f));
    }
    assertThat(resolver.resolve("pvc://claim/tiny", new LoadProgress()).path()).isEqualTo(claimDir);
    assertThatThrownBy(() -> resolver.resolve("pvc://other/x", new LoadProgress()))
        .hasMessageContaining(mounts.resolve("other/x").toString());
  }
}
