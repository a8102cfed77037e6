package dev.cairn.worker.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalActivationsTest {

  @Test
  void everyThreadCopiesOnceAndReadsItsOwnCopy() {
    try (CpuThreadPool pool = new CpuThreadPool(3)) {
      for (int call = 0; call < 50; call++) {
        AtomicInteger copies = new AtomicInteger();
        Map<Thread, float[]> made = new ConcurrentHashMap<>();
        LocalActivations local =
            new LocalActivations(
                pool,
                () -> {
                  copies.incrementAndGet();
                  float[] a = new float[8];
                  assertThat(made.put(Thread.currentThread(), a)).isNull();
                  return a;
                });
        Map<Thread, float[]> read = new ConcurrentHashMap<>();
        // one range per item, so every thread that takes part runs many ranges
        pool.parallelFor(
            4096,
            1,
            1,
            Integer.MAX_VALUE,
            (from, to) -> {
              float[] a = local.get();
              float[] before = read.putIfAbsent(Thread.currentThread(), a);
              assertThat(before == null || before == a).isTrue();
            });
        assertThat(copies.get()).isEqualTo(made.size()).isBetween(1, 3);
        assertThat(read).isEqualTo(made);
        read.forEach((thread, a) -> assertThat(a).isSameAs(made.get(thread)));
      }
    }
  }

  @Test
  void theCallerOutsideAJobHasSlotZero() {
    try (CpuThreadPool pool = new CpuThreadPool(2)) {
      assertThat(pool.slotOfCurrentThread()).isZero();
      Map<Integer, Thread> slots = new ConcurrentHashMap<>();
      pool.parallelFor(
          4096,
          1,
          1,
          Integer.MAX_VALUE,
          (from, to) -> {
            Thread previous = slots.putIfAbsent(pool.slotOfCurrentThread(), Thread.currentThread());
            assertThat(previous == null || previous == Thread.currentThread()).isTrue();
          });
      assertThat(slots.keySet()).isSubsetOf(0, 1);
    }
  }
}
