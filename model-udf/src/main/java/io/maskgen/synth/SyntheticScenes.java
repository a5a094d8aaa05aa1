package io.maskgen.synth;

import io.maskgen.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic scenes with ground truth: flat-coloured shapes (rectangles, ellipses,
 * triangles) of different sizes on a flat background, some touching, overlapping or cut by the
 * image edge. Later shapes occlude earlier ones; an object's ground-truth mask is its visible part.
 * Used by tests (recall against ground truth), benchmarks and the shipped example images.
 */
public final class SyntheticScenes {

  /** The object colours, each with the name a text query uses. */
  public enum Colour {
    RED(220, 30, 30),
    GREEN(40, 170, 50),
    BLUE(30, 60, 210),
    YELLOW(240, 220, 40),
    ORANGE(245, 140, 20),
    PURPLE(130, 40, 170),
    CYAN(40, 210, 220),
    PINK(245, 130, 190);

    public final int r;
    public final int g;
    public final int b;

    Colour(int r, int g, int b) {
      this.r = r;
      this.g = g;
      this.b = b;
    }

    /** The lower-case colour word, e.g. {@code "red"}. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Background tones, chosen away from every object colour. */
  private static final int[][] BACKGROUNDS = {{235, 232, 220}, {70, 72, 80}, {150, 150, 150}};

  /**
   * One object of a scene.
   *
   * @param colour its flat colour
   * @param shape "rectangle", "ellipse" or "triangle"
   * @param mask visible pixels, row-major, 1 = object
   * @param area number of visible pixels
   */
  public record GroundTruth(Colour colour, String shape, byte[] mask, long area) {}

  /** An image and its objects, in drawing order. */
  public record Scene(RgbImage image, List<GroundTruth> objects) {}

  private SyntheticScenes() {}

  /**
   * Builds scene number {@code seed}: 3 to 6 objects of distinct colours on a {@code width x
   * height} image. Every object keeps at least 0.4% of the image visible.
   */
  public static Scene generate(long seed, int width, int height) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
    for (int attempt = 0; ; attempt++) {
      Scene scene = tryGenerate(rnd, width, height);
      if (scene != null || attempt > 50) {
        if (scene == null) {
          throw new IllegalStateException("Could not place objects on " + width + "x" + height);
        }
        return scene;
      }
    }
  }

  private static Scene tryGenerate(SplittableRandom rnd, int w, int h) {
    int[] bg = BACKGROUNDS[rnd.nextInt(BACKGROUNDS.length)];
    int count = 3 + rnd.nextInt(4);
    List<Colour> palette = new ArrayList<>(List.of(Colour.values()));
    int[] owner = new int[w * h];
    java.util.Arrays.fill(owner, -1);
    List<Colour> colours = new ArrayList<>();
    List<String> shapes = new ArrayList<>();
    int shortSide = Math.min(w, h);
    for (int i = 0; i < count; i++) {
      Colour c = palette.remove(rnd.nextInt(palette.size()));
      // Sizes from small to large; some shapes may leave the image (cut by the edge).
      double size = shortSide * (0.12 + 0.38 * rnd.nextDouble());
      double bw = size * (0.6 + 0.8 * rnd.nextDouble());
      double bh = size * (0.6 + 0.8 * rnd.nextDouble());
      double cx = -0.1 * w + rnd.nextDouble() * 1.2 * w;
      double cy = -0.1 * h + rnd.nextDouble() * 1.2 * h;
      if (i > 0 && rnd.nextInt(3) == 0) {
        // Touch or overlap the previous object's area on purpose.
        int prev = i - 1;
        int[] centre = centroid(owner, w, h, prev);
        if (centre != null) {
          cx = centre[0] + (rnd.nextBoolean() ? 1 : -1) * bw * 0.55;
          cy = centre[1] + (rnd.nextDouble() - 0.5) * bh * 0.5;
        }
      }
      String shape = switch (rnd.nextInt(3)) {
        case 0 -> "rectangle";
        case 1 -> "ellipse";
        default -> "triangle";
      };
      draw(owner, w, h, i, shape, cx, cy, bw, bh);
      colours.add(c);
      shapes.add(shape);
    }
    long minArea = Math.max(64, (long) (0.004 * w * h));
    List<GroundTruth> objects = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] mask = new byte[w * h];
      long area = 0;
      for (int p = 0; p < owner.length; p++) {
        if (owner[p] == i) {
          mask[p] = 1;
          area++;
        }
      }
      if (area < minArea) {
        return null;
      }
      objects.add(new GroundTruth(colours.get(i), shapes.get(i), mask, area));
    }
    byte[] rgb = new byte[w * h * 3];
    for (int p = 0; p < owner.length; p++) {
      int o = owner[p];
      int r = o < 0 ? bg[0] : colours.get(o).r;
      int g = o < 0 ? bg[1] : colours.get(o).g;
      int b = o < 0 ? bg[2] : colours.get(o).b;
      rgb[p * 3] = (byte) r;
      rgb[p * 3 + 1] = (byte) g;
      rgb[p * 3 + 2] = (byte) b;
    }
    return new Scene(new RgbImage(w, h, rgb), List.copyOf(objects));
  }

  private static void draw(
      int[] owner, int w, int h, int id, String shape, double cx, double cy, double bw, double bh) {
    int x0 = Math.max(0, (int) Math.floor(cx - bw / 2));
    int x1 = Math.min(w - 1, (int) Math.ceil(cx + bw / 2));
    int y0 = Math.max(0, (int) Math.floor(cy - bh / 2));
    int y1 = Math.min(h - 1, (int) Math.ceil(cy + bh / 2));
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        double u = (x + 0.5 - cx) / (bw / 2);
        double v = (y + 0.5 - cy) / (bh / 2);
        boolean inside = switch (shape) {
          case "rectangle" -> Math.abs(u) <= 1 && Math.abs(v) <= 1;
          case "ellipse" -> u * u + v * v <= 1;
          default -> v <= 1 && v >= -1 && Math.abs(u) <= (v + 1) / 2; // apex up
        };
        if (inside) {
          owner[y * w + x] = id;
        }
      }
    }
  }

  private static int[] centroid(int[] owner, int w, int h, int id) {
    long sx = 0;
    long sy = 0;
    long n = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (owner[y * w + x] == id) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    return n == 0 ? null : new int[] {(int) (sx / n), (int) (sy / n)};
  }
}
