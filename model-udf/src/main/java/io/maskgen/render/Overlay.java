package io.maskgen.render;

import io.maskgen.image.RgbImage;
import io.maskgen.schema.rle.Rle;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws masks over an image the way Segment Anything's notebooks show automatic masks: every mask
 * gets a colour, larger masks are drawn first so that smaller ones stay visible on top of them,
 * each pixel is tinted with the colour of the smallest mask covering it, and each mask's boundary
 * is drawn in its colour, opaque.
 *
 * <p>For a pixel covered by masks, the output is {@code round((1 - alpha) * image + alpha *
 * colour)} per channel, where colour is that of the last-drawn (smallest) mask covering it. Outline
 * pixels are mask pixels within {@code outlineWidth} steps (4-connected) of a pixel outside the
 * mask or of the image edge; they get their mask's colour exactly, smaller masks' outlines over
 * larger ones'. Every other pixel keeps the image's value.
 */
public final class Overlay {

  /** Default tint opacity. */
  public static final double DEFAULT_ALPHA = 0.5;

  /**
   * One mask to draw.
   *
   * @param mask the mask, the image's size
   * @param rgb its colour as {@code 0xRRGGBB}
   */
  public record Layer(Rle mask, int rgb) {
    public Layer {
      Objects.requireNonNull(mask, "mask");
      if ((rgb & 0xFF000000) != 0) {
        throw new IllegalArgumentException(
            String.format("Invalid colour: 0x%08X, expected 0xRRGGBB", rgb));
      }
    }
  }

  private Overlay() {}

  /**
   * Draws {@code layers} over {@code image}; returns a new image, the input is not changed.
   *
   * @param alpha tint opacity in [0, 1]: 0 leaves mask interiors as they are, 1 paints them flat
   * @param outlineWidth outline thickness in pixels, 0 for none
   * @throws IllegalArgumentException if a mask's size differs from the image's, or alpha or
   *     outlineWidth is out of range
   */
  public static RgbImage draw(RgbImage image, List<Layer> layers, double alpha, int outlineWidth) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("Invalid alpha: " + alpha + ", expected 0..1");
    }
    if (outlineWidth < 0 || outlineWidth > 64) {
      throw new IllegalArgumentException("Invalid outline width: " + outlineWidth + ", 0..64");
    }
    int w = image.width();
    int h = image.height();
    for (Layer l : layers) {
      if (l.mask().width() != w || l.mask().height() != h) {
        throw new IllegalArgumentException(
            String.format(
                "Mask of %dx%d pixels does not match the %dx%d image (width x height)",
                l.mask().width(), l.mask().height(), w, h));
      }
    }
    List<Layer> ordered = new ArrayList<>(layers);
    // Largest first; List.sort is stable, so equal areas keep the caller's order.
    ordered.sort(Comparator.comparingLong((Layer l) -> l.mask().area()).reversed());

    // Which layer is on top at each pixel (row-major), -1 for none.
    int[] top = new int[w * h];
    Arrays.fill(top, -1);
    for (int i = 0; i < ordered.size(); i++) {
      Rle m = ordered.get(i).mask();
      long pos = 0;
      for (int r = 0; r < m.runCount(); r++) {
        int run = m.run(r);
        if ((r & 1) == 1) {
          for (long p = pos; p < pos + run; p++) {
            int x = (int) (p / h);
            int y = (int) (p - (long) x * h);
            top[y * w + x] = i;
          }
        }
        pos += run;
      }
    }
    byte[] src = image.rgb();
    byte[] out = src.clone();
    for (int p = 0; p < top.length; p++) {
      int i = top[p];
      if (i >= 0) {
        int c = ordered.get(i).rgb();
        out[3 * p] = blend(src[3 * p], c >>> 16, alpha);
        out[3 * p + 1] = blend(src[3 * p + 1], (c >>> 8) & 0xFF, alpha);
        out[3 * p + 2] = blend(src[3 * p + 2], c & 0xFF, alpha);
      }
    }
    if (outlineWidth > 0) {
      byte[] inside = new byte[w * h];
      for (Layer l : ordered) {
        drawOutline(l, inside, w, h, outlineWidth, out);
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * A vivid colour ({@code 0xRRGGBB}) chosen at random from {@code key}: the same key always gives
   * the same colour, neighbouring keys give unrelated ones. Use the mask id as the key.
   */
  public static int colour(long key) {
    SplittableRandom rnd = new SplittableRandom(key * 0x9E3779B97F4A7C15L + 0x5851F42D4C957F2DL);
    float hue = (float) rnd.nextDouble();
    float saturation = (float) (0.55 + 0.4 * rnd.nextDouble());
    float brightness = (float) (0.75 + 0.25 * rnd.nextDouble());
    return Color.HSBtoRGB(hue, saturation, brightness) & 0xFFFFFF;
  }

  /** Outline thickness that stays visible when the image is viewed whole: 1 px, 2 from 1500 px. */
  public static int defaultOutlineWidth(int width, int height) {
    return Math.max(width, height) >= 1500 ? 2 : 1;
  }

  private static byte blend(byte base, int colour, double alpha) {
    return (byte) Math.round((1 - alpha) * (base & 0xFF) + alpha * colour);
  }

  /**
   * Paints the outline of one layer. {@code inside} is an all-zero row-major scratch buffer; it is
   * left all zero again.
   */
  private static void drawOutline(Layer layer, byte[] inside, int w, int h, int width, byte[] out) {
    Rle m = layer.mask();
    long pos = 0;
    for (int r = 0; r < m.runCount(); r++) {
      int run = m.run(r);
      if ((r & 1) == 1) {
        for (long p = pos; p < pos + run; p++) {
          int x = (int) (p / h);
          int y = (int) (p - (long) x * h);
          inside[y * w + x] = 1;
        }
      }
      pos += run;
    }
    // Peel the mask from the outside in: pass d marks (as d + 1) the pixels still at 1 that touch
    // the outside, the image edge or a pixel marked in an earlier pass.
    int c = layer.rgb();
    for (int d = 1; d <= width; d++) {
      byte mark = (byte) (d + 1);
      pos = 0;
      for (int r = 0; r < m.runCount(); r++) {
        int run = m.run(r);
        if ((r & 1) == 1) {
          for (long p = pos; p < pos + run; p++) {
            int x = (int) (p / h);
            int y = (int) (p - (long) x * h);
            int q = y * w + x;
            if (inside[q] == 1
                && (touches(inside, q - 1, x > 0, mark)
                    || touches(inside, q + 1, x < w - 1, mark)
                    || touches(inside, q - w, y > 0, mark)
                    || touches(inside, q + w, y < h - 1, mark))) {
              inside[q] = mark;
              out[3 * q] = (byte) (c >>> 16);
              out[3 * q + 1] = (byte) (c >>> 8);
              out[3 * q + 2] = (byte) c;
            }
          }
        }
        pos += run;
      }
    }
    pos = 0;
    for (int r = 0; r < m.runCount(); r++) {
      int run = m.run(r);
      if ((r & 1) == 1) {
        for (long p = pos; p < pos + run; p++) {
          int x = (int) (p / h);
          int y = (int) (p - (long) x * h);
          inside[y * w + x] = 0;
        }
      }
      pos += run;
    }
  }

  /**
   * Whether neighbour {@code q} is outside the mask or peeled in an earlier pass than {@code mark}
   * (pixels marked in the current pass do not count, so each pass is one pixel thick).
   */
  private static boolean touches(byte[] inside, int q, boolean inImage, byte mark) {
    if (!inImage) {
      return true;
    }
    int v = inside[q];
    return v == 0 || (v > 1 && v < mark);
  }
}
