package io.maskgen.render;

import io.maskgen.schema.rle.Rle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Encodes a binary mask as a 1-bit grayscale PNG of the mask's size: foreground pixels are white
 * (255 when read as 8-bit gray), background pixels black. Any PNG reader opens it; with PIL, {@code
 * np.array(Image.open(f))} gives a boolean array of shape (height, width).
 */
public final class MaskPng {

  private MaskPng() {}

  /** The mask as PNG file bytes, {@code mask.width()} x {@code mask.height()} pixels. */
  public static byte[] encode(Rle mask) {
    int w = mask.width();
    int h = mask.height();
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
    // One bit per pixel, rows padded to whole bytes, the leftmost pixel in the high bit.
    byte[] packed = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int stride = (w + 7) >>> 3;
    long pos = 0;
    for (int i = 0; i < mask.runCount(); i++) {
      int run = mask.run(i);
      if ((i & 1) == 1) {
        for (long p = pos; p < pos + run; p++) {
          int x = (int) (p / h);
          int y = (int) (p - (long) x * h);
          packed[y * stride + (x >>> 3)] |= (byte) (0x80 >>> (x & 7));
        }
      }
      pos += run;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (int) Math.min(1 << 20, pos / 64));
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("No PNG writer available in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a PNG in memory", e);
    }
    return out.toByteArray();
  }
}
