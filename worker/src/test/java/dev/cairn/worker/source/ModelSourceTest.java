package dev.cairn.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.worker.source.ModelSource.HuggingFace;
import dev.cairn.worker.source.ModelSource.LocalFile;
import dev.cairn.worker.source.ModelSource.Pvc;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSourceTest {

  private static final Path WORK = Path.of("/work/dir");

  @Test
  void huggingFaceWithAndWithoutRevision() {
    assertThat(ModelSource.parse("hf://Qwen/Qwen2.5-0.5B-Instruct", WORK))
        .isEqualTo(new HuggingFace("Qwen/Qwen2.5-0.5B-Instruct", "main"));
    assertThat(ModelSource.parse("hf://meta-llama/Llama-3.2-1B@v1.0", WORK))
        .isEqualTo(new HuggingFace("meta-llama/Llama-3.2-1B", "v1.0"));
    assertThat(ModelSource.parse(" hf://a/b@refs/pr/3 ", WORK))
        .isEqualTo(new HuggingFace("a/b", "refs/pr/3"));
    assertThat(new HuggingFace("Qwen/Qwen2.5-0.5B", "main").cacheName())
        .isEqualTo("models--Qwen--Qwen2.5-0.5B");
  }

  @Test
  void pvcMapsUnderTheMountRoot() {
    ModelSource source = ModelSource.parse("pvc://models-claim/llama/3b/", WORK);
    assertThat(source).isEqualTo(new Pvc("models-claim", "llama/3b"));
    assertThat(((Pvc) source).localPath(ModelSource.DEFAULT_PVC_MOUNT_ROOT))
        .isEqualTo(Path.of("/mnt/models/models-claim/llama/3b"));
    assertThat(((Pvc) source).localPath(Path.of("/tmp/mounts")))
        .isEqualTo(Path.of("/tmp/mounts/models-claim/llama/3b"));
  }

  @Test
  void fileIsAbsoluteOrRelativeToTheWorkingDirectory() {
    assertThat(ModelSource.parse("file:/models/tiny", WORK))
        .isEqualTo(new LocalFile(Path.of("/models/tiny")));
    assertThat(ModelSource.parse("file:///models/tiny", WORK))
        .isEqualTo(new LocalFile(Path.of("/models/tiny")));
    assertThat(ModelSource.parse("file:models/tiny-shakespeare", WORK))
        .isEqualTo(new LocalFile(Path.of("/work/dir/models/tiny-shakespeare")));
    assertThat(ModelSource.parse("file:../m", WORK)).isEqualTo(new LocalFile(Path.of("/work/m")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Qwen/Qwen2.5",
        "s3://bucket/model",
        "hf://only-one-part",
        "hf://a/b/c",
        "hf://a/b@",
        "hf://../b",
        "pvc://",
        "pvc://claim-without-path",
        "pvc://dotted.claim/x",
        "pvc://Upper/x",
        "pvc://claim/../../etc",
        "file:"
      })
  void invalidValuesNameTheFieldAndTheAcceptedForms(String value) {
    assertThatThrownBy(() -> ModelSource.parse(value, WORK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.model.source")
        .hasMessageContaining("hf://ORG/NAME[@REV], pvc://CLAIM/PATH or file:PATH");
  }
}
