package dev.cairn.worker.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything logged in this JVM while open, every level, with messages formatted and stack traces
 * included: what a log shipper would see.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final StringBuilder text = new StringBuilder();
  private final Logger root = Logger.getLogger("");
  private final Level previous = root.getLevel();

  public LogCapture() {
    setLevel(Level.ALL);
    root.setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord r) {
    String message = r.getMessage();
    if (r.getParameters() != null && message != null) {
      message = String.format(message.replace("{0}", "%s"), r.getParameters());
    }
    text.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(' ');
    text.append(message).append(' ');
    for (Object p : r.getParameters() == null ? new Object[0] : r.getParameters()) {
      text.append(p).append(' ');
    }
    if (r.getThrown() != null) {
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      text.append(trace);
    }
    text.append('\n');
  }

  /** All captured lines. */
  public synchronized String text() {
    return text.toString();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    root.setLevel(previous);
  }
}
