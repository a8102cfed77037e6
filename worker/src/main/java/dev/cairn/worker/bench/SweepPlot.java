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
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws the sweep as a PNG: speed-up over one stream against streams (log2), with the ceiling. */
final class SweepPlot {

  private static final int W = 900;
  private static final int H = 560;
  private static final int LEFT = 80;
  private static final int RIGHT = 240;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), Color.GRAY};

  private SweepPlot() {}

  static void write(Path png, Map<String, List<SweepResult>> sweeps, double ceiling)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    int maxStreams =
        sweeps.values().stream()
            .flatMap(List::stream)
            .mapToInt(SweepResult::streams)
            .max()
            .orElse(1);
    double maxY = Math.max(2, maxStreams);
    axes(g, maxStreams, maxY);
    int i = 0;
    int legendY = TOP + 20;
    for (var e : sweeps.entrySet()) {
      Color c = COLORS[i++ % COLORS.length];
      double single = e.getValue().getFirst().outputTokensPerSecond();
      int px = -1;
      int py = -1;
      g.setColor(c);
      g.setStroke(new BasicStroke(2.5f));
      for (SweepResult r : e.getValue()) {
        int x = x(r.streams(), maxStreams);
        int y = y(r.outputTokensPerSecond() / single, maxY);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(e.getKey(), W - RIGHT + 20, legendY);
      legendY += 20;
    }
    // The BF16 ceiling: min(streams, FMA rate × 2 / bandwidth).
    g.setColor(COLORS[2]);
    g.setStroke(
        new BasicStroke(
            1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6}, 0));
    int px = -1;
    int py = -1;
    for (int s = 1; s <= maxStreams; s *= 2) {
      int x = x(s, maxStreams);
      int y = y(Math.min(s, ceiling), maxY);
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
    g.drawString(String.format("BF16 ceiling (%.1fx)", ceiling), W - RIGHT + 20, legendY);
    g.dispose();
    if (png.getParent() != null) {
      Files.createDirectories(png.getParent());
    }
    ImageIO.write(img, "png", png.toFile());
  }

  private static void axes(Graphics2D g, int maxStreams, double maxY) {
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString("Cairn CPU engine: aggregate output tokens/s vs one stream", LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawLine(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM);
    g.drawLine(LEFT, TOP, LEFT, H - BOTTOM);
    for (int s = 1; s <= maxStreams; s *= 2) {
      int x = x(s, maxStreams);
      g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 5);
      g.drawString(Integer.toString(s), x - 6, H - BOTTOM + 20);
    }
    g.drawString("concurrent streams (log2)", (LEFT + W - RIGHT) / 2 - 70, H - 15);
    for (int v = 0; v <= maxY; v += Math.max(1, (int) (maxY / 8))) {
      int y = y(v, maxY);
      g.drawLine(LEFT - 5, y, LEFT, y);
      g.drawString(v + "x", LEFT - 35, y + 4);
    }
  }

  private static int x(int streams, int maxStreams) {
    double f = Math.log(streams) / Math.log(Math.max(2, maxStreams));
    return LEFT + (int) Math.round(f * (W - LEFT - RIGHT));
  }

  private static int y(double v, double maxY) {
    return H - BOTTOM - (int) Math.round(v / maxY * (H - TOP - BOTTOM));
  }
}
