package dev.cairn.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForkedJvmTest {

  /** Writes its arguments after the first, its JVM's flags and its vector width to the first. */
  public static final class Echo {
    public static void main(String[] args) throws IOException {
      ObjectMapper json = new ObjectMapper();
      ObjectNode r = json.createObjectNode();
      List.of(args).subList(1, args.length).forEach(r.putArray("args")::add);
      ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(r.putArray("flags")::add);
      r.put("lanes", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
      if (args.length > 1 && args[1].equals("fail")) {
        System.exit(3);
      }
      Files.writeString(Path.of(args[0]), json.writeValueAsString(r));
    }
  }

  @Test
  void theForkedJvmRunsWithThisOnesFlagsAndReturnsWhatItWrote() throws IOException {
    JsonNode r = ForkedJvm.run(Echo.class, List.of("a", "b c"));

    assertThat(r.get("args")).extracting(JsonNode::asText).containsExactly("a", "b c");
    List<String> flags = new ArrayList<>();
    r.get("flags").forEach(f -> flags.add(f.asText()));
    // -XX:UseAVX=2 and the like go with them: a format measured apart keeps its kernels.
    assertThat(flags).isEqualTo(ManagementFactory.getRuntimeMXBean().getInputArguments());
    assertThat(r.get("lanes").asInt())
        .isEqualTo(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
  }

  @Test
  void aFailedRunIsAnErrorNotAnEmptyResult() {
    assertThatThrownBy(() -> ForkedJvm.run(Echo.class, List.of("fail")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exited with 3");
  }
}
