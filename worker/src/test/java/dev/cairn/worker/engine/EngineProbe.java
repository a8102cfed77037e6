package dev.cairn.worker.engine;

/** Lets tests outside this package look at an engine's internals. */
public final class EngineProbe {
  private EngineProbe() {}

  /** The share of KV blocks in use (0 once every request has returned its blocks). */
  public static double kvUsage(LlmEngine engine) {
    return engine.core().kv().usage();
  }
}
