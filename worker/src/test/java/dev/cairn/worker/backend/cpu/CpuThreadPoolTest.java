package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spinning pool: coverage of a range, failures, nesting, concurrent callers, parking. */
class CpuThreadPoolTest {

  /** Every index of the range runs exactly once, in ranges aligned as asked. */
  @ParameterizedTest(name = "threads={0}")
  @ValueSource(ints = {1, 2, 3, 5})
  void everyIndexRunsOnceInAlignedRanges(int threads) {
    try (CpuThreadPool pool = new CpuThreadPool(threads)) {
      for (int n : new int[] {0, 1, 15, 16, 17, 100, 1000, 4864}) {
        for (int align : new int[] {1, 16}) {
          AtomicIntegerArray hits = new AtomicIntegerArray(n);
          Ranges ranges = new Ranges();
          pool.parallelFor(
              n,
              16,
              align,
              (from, to) -> {
                ranges.add(from, to);
                for (int i = from; i < to; i++) {
                  hits.incrementAndGet(i);
                }
              });
          for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).as("n=%d align=%d index %d", n, align, i).isEqualTo(1);
          }
          for (int[] r : ranges.all()) {
            assertThat(r[0] % align).as("range start %d", r[0]).isZero();
            assertThat(r[1] == n || r[1] % align == 0).as("range end %d of %d", r[1], n).isTrue();
          }
        }
      }
    }
  }

  /**
   * Asked for as many chunks as can be, a range is handed out one aligned unit at a time (a prefill
   * matmul's panels), every index still once; asked for four a thread, in about four equal ones; by
   * default guided, each range a quarter of what is left, down to one unit at the end.
   */
  @Test
  void chunksPerThreadSetsTheRangeSize() {
    try (CpuThreadPool pool = new CpuThreadPool(2)) {
      int n = 896;
      Ranges fine = new Ranges();
      AtomicIntegerArray hits = new AtomicIntegerArray(n);
      pool.parallelFor(
          n,
          32,
          32,
          Integer.MAX_VALUE,
          (from, to) -> {
            fine.add(from, to);
            for (int i = from; i < to; i++) {
              hits.incrementAndGet(i);
            }
          });
      assertThat(fine.all()).hasSize(n / 32).allSatisfy(r -> assertThat(r[1] - r[0]).isEqualTo(32));
      for (int i = 0; i < n; i++) {
        assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
      }
      Ranges guided = new Ranges();
      pool.parallelFor(n, 32, 32, guided::add);
      List<int[]> byStart = new ArrayList<>(guided.all());
      byStart.sort(java.util.Comparator.comparingInt(r -> r[0]));
      // a quarter of what is left each time, in whole units: 224, 192, 128, 96, 64, 64, 32, ...
      assertThat(byStart.get(0)).containsExactly(0, 224);
      for (int i = 1; i < byStart.size(); i++) {
        assertThat(byStart.get(i)[0]).isEqualTo(byStart.get(i - 1)[1]);
        assertThat(byStart.get(i)[1] - byStart.get(i)[0])
            .isLessThanOrEqualTo(byStart.get(i - 1)[1] - byStart.get(i - 1)[0]);
      }
      assertThat(byStart.getLast()).containsExactly(n - 32, n);
      Ranges even = new Ranges();
      pool.parallelFor(n, 32, 32, 4, even::add);
      assertThat(even.all()).hasSize(7); // 448 a thread, a quarter of it rounded up to 128
    }
  }

  /** Both threads of a two-thread pool take part in a large range. */
  @Test
  void workersShareTheRange() {
    try (CpuThreadPool pool = new CpuThreadPool(2)) {
      ConcurrentHashMap<String, Boolean> names = new ConcurrentHashMap<>();
      for (int attempt = 0; attempt < 200 && names.size() < 2; attempt++) {
        pool.parallelFor(
            1 << 12,
            16,
            16,
            (from, to) -> {
              names.put(Thread.currentThread().getName(), true);
              busy(20_000);
            });
      }
      assertThat(names).hasSize(2).containsKey("cairn-cpu-1");
    }
  }

  /**
   * A range that throws, on whichever thread ran it, fails the call with it as the cause; the pool
   * keeps working afterwards and the failure does not surface again in the next call.
   */
  @Test
  void aFailingTaskFailsTheCallAndThePoolRecovers() {
    try (CpuThreadPool pool = new CpuThreadPool(2)) {
      assertThatThrownBy(
              () ->
                  pool.parallelFor(
                      1024,
                      16,
                      16,
                      (from, to) -> {
                        if (from >= 512) {
                          throw new ArithmeticException("boom at " + from);
                        }
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasRootCauseInstanceOf(ArithmeticException.class);
      AtomicIntegerArray hits = new AtomicIntegerArray(1024);
      pool.parallelFor(1024, 16, 16, (from, to) -> hits.incrementAndGet(from));
      int sum = 0;
      for (int i = 0; i < 1024; i++) {
        sum += hits.get(i);
      }
      assertThat(sum).as("ranges of the next call").isPositive();
    }
  }

  /** A call from inside a task runs inline instead of waiting on itself. */
  @Test
  void nestedCallsRunInline() {
    try (CpuThreadPool pool = new CpuThreadPool(2)) {
      AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
      pool.parallelFor(
          64,
          1,
          1,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              int row = i;
              pool.parallelFor(64, 1, 1, (a, b) -> add(hits, row, a, b));
            }
          });
      for (int i = 0; i < 64 * 64; i++) {
        assertThat(hits.get(i)).as("index %d", i).isEqualTo(1);
      }
    }
  }

  /** Callers on several threads take turns; each gets its own range done exactly. */
  @Test
  void concurrentCallersEachGetTheirRange() throws Exception {
    try (CpuThreadPool pool = new CpuThreadPool(2);
        ExecutorService callers = Executors.newFixedThreadPool(4)) {
      List<Future<AtomicIntegerArray>> done = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        done.add(
            callers.submit(
                () -> {
                  AtomicIntegerArray hits = new AtomicIntegerArray(777);
                  for (int rep = 0; rep < 300; rep++) {
                    pool.parallelFor(777, 16, 16, (from, to) -> add(hits, 0, from, to));
                  }
                  return hits;
                }));
      }
      for (Future<AtomicIntegerArray> f : done) {
        AtomicIntegerArray hits = f.get();
        for (int i = 0; i < 777; i++) {
          assertThat(hits.get(i)).as("index %d", i).isEqualTo(300);
        }
      }
    }
  }

  /** With no spin window workers park after every job and are woken for the next. */
  @Test
  void parkedWorkersWakeForTheNextJob() throws Exception {
    try (CpuThreadPool pool = new CpuThreadPool(3, 0)) {
      AtomicIntegerArray hits = new AtomicIntegerArray(256);
      for (int rep = 0; rep < 2000; rep++) {
        if (rep % 500 == 0) {
          Thread.sleep(5); // the workers park
        }
        pool.parallelFor(256, 16, 16, (from, to) -> add(hits, 0, from, to));
      }
      for (int i = 0; i < 256; i++) {
        assertThat(hits.get(i)).isEqualTo(2000);
      }
    }
  }

  @Test
  void aClosedPoolRefusesWork() {
    CpuThreadPool pool = new CpuThreadPool(2);
    pool.close();
    assertThatThrownBy(() -> pool.parallelFor(1024, 16, 16, (from, to) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private static void add(AtomicIntegerArray hits, int row, int from, int to) {
    for (int i = from; i < to; i++) {
      hits.incrementAndGet(row * 64 + i);
    }
  }

  private static void busy(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  /** Ranges seen by the tasks, from any thread. */
  private static final class Ranges {
    private final List<int[]> ranges = new ArrayList<>();

    synchronized void add(int from, int to) {
      ranges.add(new int[] {from, to});
    }

    synchronized List<int[]> all() {
      return List.copyOf(ranges);
    }
  }
}
