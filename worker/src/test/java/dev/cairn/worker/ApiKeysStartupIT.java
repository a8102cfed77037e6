package dev.cairn.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.CairnNames;
import dev.cairn.worker.testing.WorkerProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A packaged worker given a key Secret it cannot use stops at once, naming the line, not the key.
 */
class ApiKeysStartupIT {
  @Test
  void duplicateKeyStopsTheWorkerWithoutPrintingIt() {
    WorkerProcess.Exit exit =
        WorkerProcess.builder()
            .configFile(WorkerProcess.repoRoot().resolve("deploy/samples/tiny-cpu.yaml"))
            .env(CairnNames.ENV_API_KEY, "team-a:sk-shared-77\n# spare\nteam-b:sk-shared-77\n")
            .runToExit(Duration.ofSeconds(60));

    assertThat(exit.code()).as(exit.output()).isEqualTo(2);
    assertThat(exit.output())
        .contains(
            "cairn-worker: env CAIRN_API_KEY line 3: the key is the same as the one on line 1")
        .doesNotContain("sk-shared-77")
        .doesNotContain("Listening on");
  }
}
