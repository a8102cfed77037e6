package dev.cairn.worker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two variants measured in one run, alternating A B B A …, so a drift of the machine or the JIT
 * over the run weighs on both alike; the figure is the ratio of their means.
 *
 * @param a the baseline's measurements, one per round
 * @param b the variant's measurements, one per round
 */
record AlternatingRounds(List<Double> a, List<Double> b) {

  /** One measurement of a variant (a concurrency sweep's tokens/s). */
  interface Measurement {
    double run() throws InterruptedException;
  }

  /**
   * Runs {@code rounds} rounds of both, printing each round.
   *
   * @param label formats one round's line from the round, a's and b's figure
   */
  static AlternatingRounds run(int rounds, Measurement a, Measurement b, String label)
      throws InterruptedException {
    AlternatingRounds r = new AlternatingRounds(new ArrayList<>(), new ArrayList<>());
    for (int round = 0; round < rounds; round++) {
      boolean bFirst = round % 2 == 1;
      for (boolean isB : bFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
        (isB ? r.b : r.a).add(isB ? b.run() : a.run());
      }
      System.out.printf(label + "%n", round, r.a.getLast(), r.b.getLast());
    }
    return r;
  }

  /** mean(b) / mean(a). */
  double ratio() {
    return mean(b) / mean(a);
  }

  /** Adds both series under the given keys. */
  void putInto(ObjectNode report, String aKey, String bKey) {
    a.forEach(report.putArray(aKey)::add);
    b.forEach(report.putArray(bKey)::add);
  }

  /** Writes {@code report} to {@code out} (creating its directory) and prints it. */
  static void write(Path out, ObjectNode report) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, report.toPrettyString());
    System.out.println(report.toPrettyString());
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
