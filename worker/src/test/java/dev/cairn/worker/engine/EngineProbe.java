package dev.cairn.worker.engine;

/** Lets tests outside this package look at an engine's internals. */
public final class EngineProbe {
  private EngineProbe() {}

  /**
   * Waits (up to 60 s) until the engine has no request left, without closing it to new ones as
   * {@link LlmEngine#drain} does, and returns the share of KV blocks still in use (0 when every
   * request returned its blocks).
   */
  public static double kvUsageWhenIdle(LlmEngine engine) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while ((engine.numRunning() > 0 || engine.numWaiting() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return engine.core().kv().usage();
  }
}
