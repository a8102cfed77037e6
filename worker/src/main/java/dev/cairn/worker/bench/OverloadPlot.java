package dev.cairn.worker.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws the overload run as a PNG of three panels over time, the overload window shaded: requests
 * in the worker (running, waiting), its memory (heap, RSS, in MB) and KV cache usage.
 */
final class OverloadPlot {
  private static final int W = 900;
  private static final int PANEL = 200;
  private static final int LEFT = 80;
  private static final int RIGHT = 160;
  private static final int TOP = 50;
  private static final int GAP = 40;
  private static final int H = TOP + 3 * PANEL + 3 * GAP;
  private static final Color BLUE = new Color(0x1f77b4);
  private static final Color RED = new Color(0xd62728);
  private static final Color SHADE = new Color(0xf3e3e3);

  /** One line of a panel. */
  private record Series(String name, Color color, ToDoubleFunction<OverloadReport.Sample> value) {}

  private OverloadPlot() {}

  static void write(
      Path png, List<OverloadReport.Sample> samples, double overloadSeconds, String title)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double t0 = samples.isEmpty() ? 0 : Math.min(0, samples.getFirst().atSeconds());
    double t1 = samples.isEmpty() ? 1 : Math.max(overloadSeconds, samples.getLast().atSeconds());
    double mb = 1024.0 * 1024.0;
    List<List<Series>> panels =
        List.of(
            List.of(
                new Series("running", BLUE, OverloadReport.Sample::running),
                new Series("waiting", RED, OverloadReport.Sample::waiting)),
            List.of(
                new Series("heap MB", BLUE, s -> s.heapBytes() / mb),
                new Series("RSS MB", RED, s -> s.rssBytes() / mb)),
            List.of(new Series("KV usage %", BLUE, s -> s.kvCacheUsage() * 100)));
    for (int p = 0; p < panels.size(); p++) {
      int top = TOP + p * (PANEL + GAP);
      panel(g, samples, panels.get(p), top, t0, t1, overloadSeconds, p == panels.size() - 1);
    }
    g.dispose();
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ImageIO.write(img, "png", png.toFile());
  }

  private static void panel(
      Graphics2D g,
      List<OverloadReport.Sample> samples,
      List<Series> series,
      int top,
      double t0,
      double t1,
      double overloadSeconds,
      boolean xLabel) {
    int bottom = top + PANEL;
    double maxY = 1;
    for (Series s : series) {
      for (OverloadReport.Sample sample : samples) {
        maxY = Math.max(maxY, s.value().applyAsDouble(sample));
      }
    }
    maxY *= 1.1;
    g.setColor(SHADE);
    int shadeFrom = x(0, t0, t1);
    g.fillRect(shadeFrom, top, x(overloadSeconds, t0, t1) - shadeFrom, PANEL);
    g.setColor(Color.BLACK);
    g.drawLine(LEFT, bottom, W - RIGHT, bottom);
    g.drawLine(LEFT, top, LEFT, bottom);
    g.drawString(String.format("%.0f", maxY), LEFT - 45, top + 10);
    g.drawString("0", LEFT - 15, bottom);
    if (xLabel) {
      g.drawString(Math.round(t0) + " s", LEFT - 10, bottom + 18);
      g.drawString(Math.round(t1) + " s", W - RIGHT - 20, bottom + 18);
      g.drawString("seconds from the start of the overload (shaded)", LEFT + 200, bottom + 30);
    }
    int legendY = top + 20;
    for (Series s : series) {
      g.setColor(s.color());
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (OverloadReport.Sample sample : samples) {
        double v = s.value().applyAsDouble(sample);
        if (v < 0) {
          continue;
        }
        int x = x(sample.atSeconds(), t0, t1);
        int y = bottom - (int) Math.round(v / maxY * PANEL);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(s.name(), W - RIGHT + 20, legendY);
      legendY += 20;
    }
  }

  private static int x(double t, double t0, double t1) {
    return LEFT + (int) Math.round((t - t0) / Math.max(1e-9, t1 - t0) * (W - LEFT - RIGHT));
  }
}
