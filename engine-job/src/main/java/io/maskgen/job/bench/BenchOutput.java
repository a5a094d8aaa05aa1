package io.maskgen.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Writes the benchmark's tables (Markdown, CSV, JSON) and its plot (PNG). */
final class BenchOutput {

  private static final Color[] STAGE_COLOURS = {
    new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2),
    new Color(0x59a14f), new Color(0xedc948), new Color(0xb07aa1)
  };

  private BenchOutput() {}

  /** A Markdown table of rows of ordered columns. */
  static String markdown(List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    List<String> keys = new ArrayList<>(rows.get(0).keySet());
    sb.append("| ").append(String.join(" | ", keys)).append(" |\n");
    sb.append("|").append("---|".repeat(keys.size())).append("\n");
    for (Map<String, Object> row : rows) {
      List<String> cells = new ArrayList<>();
      for (String k : keys) {
        cells.add(format(row.get(k)));
      }
      sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return sb.toString();
  }

  static String csv(List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.join(",", rows.get(0).keySet())).append("\n");
    for (Map<String, Object> row : rows) {
      List<String> cells = new ArrayList<>();
      for (Object v : row.values()) {
        cells.add(format(v));
      }
      sb.append(String.join(",", cells)).append("\n");
    }
    return sb.toString();
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      double a = Math.abs(d);
      return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 1 ? "%.2f" : "%.3f", d);
    }
    return String.valueOf(v);
  }

  static void writeJson(Path file, Object value) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
  }

  static void writeText(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /**
   * The plot: one panel per swept parameter (image size, points per side, crop layers), each a
   * stacked bar of milliseconds per image by stage for every value, with the heap peak written
   * above the bar. A panel is left out when its parameter has one value.
   */
  static void writePlot(Path file, List<Panel> panels) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int panelW = 420;
    int panelH = 360;
    int legendH = 40;
    int n = Math.max(1, panels.size());
    BufferedImage img =
        new BufferedImage(panelW * n, panelH + legendH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int p = 0; p < panels.size(); p++) {
        drawPanel(g, panels.get(p), p * panelW, 0, panelW, panelH);
      }
      // Legend.
      int x = 10;
      int y = panelH + 12;
      for (int s = 0; s < BenchRow.STAGES.length; s++) {
        g.setColor(STAGE_COLOURS[s]);
        g.fillRect(x, y, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString(BenchRow.STAGES[s], x + 16, y + 11);
        x += 24 + g.getFontMetrics().stringWidth(BenchRow.STAGES[s]);
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("No PNG writer for " + file);
    }
  }

  /** One panel: a parameter's name and its rows in order. */
  record Panel(String title, String axis, List<BenchRow> rows, ToDoubleFunction<BenchRow> x) {}

  private static void drawPanel(Graphics2D g, Panel panel, int ox, int oy, int w, int h) {
    int left = ox + 60;
    int right = ox + w - 15;
    int top = oy + 30;
    int bottom = oy + h - 45;
    double max = 1;
    for (BenchRow r : panel.rows()) {
      max = Math.max(max, stackedTotal(r));
    }
    max = niceCeiling(max);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
    g.drawString(panel.title(), left, oy + 18);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    // Axes and grid.
    g.setStroke(new BasicStroke(1f));
    for (int i = 0; i <= 4; i++) {
      int y = bottom - (int) Math.round((bottom - top) * i / 4.0);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, right, y);
      g.setColor(Color.BLACK);
      String label = String.format(Locale.ROOT, "%.0f", max * i / 4);
      g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), y + 4);
    }
    g.drawLine(left, top, left, bottom);
    g.drawLine(left, bottom, right, bottom);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString("ms per image", -(top + bottom) / 2 - 30, ox + 14);
    rotated.dispose();
    g.drawString(panel.axis(), (left + right) / 2 - g.getFontMetrics().stringWidth(panel.axis()) / 2,
        bottom + 34);
    int n = panel.rows().size();
    double slot = (right - left) / (double) Math.max(1, n);
    int barW = (int) Math.max(6, slot * 0.6);
    for (int i = 0; i < n; i++) {
      BenchRow r = panel.rows().get(i);
      int cx = left + (int) Math.round(slot * (i + 0.5));
      double acc = 0;
      for (int s = 0; s < BenchRow.STAGES.length; s++) {
        double v = r.stageMillis().get(BenchRow.STAGES[s]);
        int y0 = bottom - (int) Math.round((bottom - top) * acc / max);
        int y1 = bottom - (int) Math.round((bottom - top) * (acc + v) / max);
        g.setColor(STAGE_COLOURS[s]);
        g.fillRect(cx - barW / 2, y1, barW, Math.max(0, y0 - y1));
        acc += v;
      }
      g.setColor(Color.BLACK);
      String xl = trimNumber(panel.x().applyAsDouble(r));
      g.drawString(xl, cx - g.getFontMetrics().stringWidth(xl) / 2, bottom + 15);
      int yTop = bottom - (int) Math.round((bottom - top) * acc / max);
      String heap = String.format(Locale.ROOT, "%.0f MiB", r.heapPeakMb());
      g.drawString(heap, cx - g.getFontMetrics().stringWidth(heap) / 2, yTop - 4);
    }
  }

  private static double stackedTotal(BenchRow r) {
    double sum = 0;
    for (String s : BenchRow.STAGES) {
      sum += r.stageMillis().get(s);
    }
    return sum;
  }

  private static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String trimNumber(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** Rows of ordered columns, for JSON. */
  static Map<String, Object> json(
      Map<String, Object> settings,
      List<BenchRow> rows,
      List<Map<String, Object>> throughput,
      List<Map<String, Object>> gpu) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("settings", settings);
    m.put("cases", rows.stream().map(BenchRow::columns).toList());
    m.put("throughput", throughput);
    m.put("gpu_standin", gpu);
    return m;
  }
}
