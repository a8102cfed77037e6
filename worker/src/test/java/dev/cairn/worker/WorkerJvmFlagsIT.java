package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.worker.testing.WorkerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker started as {@code java -jar} without the JVM flags it needs: it exits at
 * once, naming them, instead of listening and answering 503 forever.
 */
class WorkerJvmFlagsIT {

  @Test
  void withoutTheVectorModuleTheWorkerExitsNamingTheFlags() {
    WorkerProcess.Exit exit =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .withoutJvmFlags()
            .runToExit(Duration.ofSeconds(60));

    assertThat(exit.code()).as(exit.output()).isEqualTo(2);
    assertThat(exit.output())
        .contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED")
        .doesNotContain("Listening on")
        .doesNotContain("Serving model");
  }
}
