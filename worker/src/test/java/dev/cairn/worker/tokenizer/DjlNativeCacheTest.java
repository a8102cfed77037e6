package dev.cairn.worker.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlNativeCacheTest {

  @Test
  void explicitSettingIsKept(@TempDir Path dir) {
    assertThat(DjlNativeCache.chooseCacheDir("/somewhere", dir.resolve("home"), dir.resolve("tmp")))
        .isEmpty();
  }

  @Test
  void writableHomeCacheIsKept(@TempDir Path dir) {
    assertThat(DjlNativeCache.chooseCacheDir(null, dir.resolve(".djl.ai"), dir.resolve("tmp")))
        .isEmpty();
  }

  // A home that cannot hold the cache (read-only, or not a directory) sends DJL to the temp dir.
  @Test
  void homeThatIsAFileFallsBackToTemp(@TempDir Path dir) throws Exception {
    Path notADir = Files.writeString(dir.resolve("home"), "x");
    assertThat(DjlNativeCache.chooseCacheDir(null, notADir.resolve(".djl.ai"), dir.resolve("tmp")))
        .contains(dir.resolve("tmp"));
  }
}
