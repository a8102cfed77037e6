package dev.cairn.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.api.v1alpha1.LLMDeployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden YAML files under src/test/resources/golden. Run with {@code -Dcairn.golden.update=true} to
 * rewrite them after an intended change, then review the diff before committing.
 */
final class Golden {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path DIR = Path.of("src/test/resources/golden");

  private Golden() {}

  static LLMDeployment fixture(String name) {
    try (InputStream in = Golden.class.getResourceAsStream("/fixtures/" + name + ".yaml")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return Serialization.unmarshal(
          new String(in.readAllBytes(), StandardCharsets.UTF_8), LLMDeployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertMatches(Object actual, String name) {
    String yaml = Serialization.asYaml(actual);
    Path file = DIR.resolve(name + ".yaml");
    try {
      if (Boolean.getBoolean("cairn.golden.update")) {
        Files.createDirectories(DIR);
        Files.writeString(file, yaml);
      }
      assertThat(file)
          .as("golden file %s (create it with -Dcairn.golden.update=true)", file)
          .exists();
      JsonNode expected = YAML.readTree(Files.readString(file));
      JsonNode got = YAML.readTree(yaml);
      // Compare trees, and on a difference show the YAML so the diff is readable.
      if (!expected.equals(got)) {
        assertThat(yaml).as("output of the builder vs %s", file).isEqualTo(Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
