package dev.cairn.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Gathers one request's outputs; {@link #await()} returns once the final one arrived. */
public final class OutputCollector implements Consumer<RequestOutput> {

  public final List<RequestOutput> outputs = new ArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);

  @Override
  public synchronized void accept(RequestOutput out) {
    assertThat(done.getCount()).as("output after the final one").isEqualTo(1);
    outputs.add(out);
    if (out.finished()) {
      done.countDown();
    }
  }

  /** Waits for the final output; the bound only keeps a broken engine from hanging the build. */
  public OutputCollector await() throws InterruptedException {
    assertThat(done.await(60, TimeUnit.SECONDS)).as("request finished").isTrue();
    return this;
  }

  public synchronized int[] tokens() {
    return outputs.stream().flatMapToInt(o -> java.util.Arrays.stream(o.newTokenIds())).toArray();
  }

  public synchronized String text() {
    StringBuilder sb = new StringBuilder();
    outputs.forEach(o -> sb.append(o.textDelta()));
    return sb.toString();
  }

  public synchronized RequestOutput last() {
    return outputs.getLast();
  }
}
