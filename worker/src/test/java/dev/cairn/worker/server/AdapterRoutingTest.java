package dev.cairn.worker.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.lora.AdapterLoadException;
import dev.cairn.worker.lora.AdapterLoadException.Reason;
import org.junit.jupiter.api.Test;

/** Model names: the base id, vLLM's bare adapter name, Ray Serve's base:adapter. */
class AdapterRoutingTest {

  @Test
  void namesTheBaseOrAnAdapterInBothConventions() {
    assertThat(AdapterRouting.adapterName(null, "base")).isNull();
    assertThat(AdapterRouting.adapterName("base", "base")).isNull();
    assertThat(AdapterRouting.adapterName("shouty", "base")).isEqualTo("shouty");
    assertThat(AdapterRouting.adapterName("base:shouty", "base")).isEqualTo("shouty");
    assertThat(AdapterRouting.adapterName("Qwen/Qwen2.5:sql", "Qwen/Qwen2.5")).isEqualTo("sql");
  }

  @Test
  void loadFailuresBecomeOpenAiErrors() {
    assertThat(
            AdapterRouting.toApi(
                    new AdapterLoadException(Reason.NOT_FOUND, "gone"), "nope", "model")
                .status())
        .isEqualTo(404);
    assertThat(
            AdapterRouting.toApi(new AdapterLoadException(Reason.INVALID, "bad r"), "x", "model")
                .status())
        .isEqualTo(400);
    assertThat(
            AdapterRouting.toApi(
                    new AdapterLoadException(Reason.UNAVAILABLE, "download"), "x", "model")
                .status())
        .isEqualTo(503);
  }
}
