package dev.cairn.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NativeCacheDirsTest {
  @Test
  void pointsDjlAtTmpUnlessSet() {
    Properties p = new Properties();
    p.setProperty("java.io.tmpdir", "/scratch");
    p.setProperty("ENGINE_CACHE_DIR", "/mine");
    NativeCacheDirs.configure(Map.of(), p);
    assertThat(p.getProperty("DJL_CACHE_DIR")).isEqualTo("/scratch/cairn-djl");
    assertThat(p.getProperty("ENGINE_CACHE_DIR")).isEqualTo("/mine");

    Properties fromEnv = new Properties();
    NativeCacheDirs.configure(Map.of("DJL_CACHE_DIR", "/env"), fromEnv);
    assertThat(fromEnv.getProperty("DJL_CACHE_DIR")).isNull();
  }
}
