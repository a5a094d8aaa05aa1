package io.maskgen.render;

import io.maskgen.schema.rle.Rle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Encodes a binary mask as a 1-bit grayscale PNG of the mask's size: foreground pixels are white
 * (255 when read as 8-bit gray), background pixels black. Any PNG reader opens it; with PIL, {@code
 * np.array(Image.open(f))} gives a boolean array of shape (height, width).
 */
public final class MaskPng {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private MaskPng() {}

  /** The mask as PNG file bytes, {@code mask.width()} x {@code mask.height()} pixels. */
  public static byte[] encode(Rle mask) {
    int w = mask.width();
    int h = mask.height();
    // Scanlines of one filter byte (0, none) and the row's bits, the leftmost pixel in the high
    // bit, padded to whole bytes.
    int stride = 1 + ((w + 7) >>> 3);
    byte[] raw = new byte[stride * h];
    long pos = 0;
    for (int i = 0; i < mask.runCount(); i++) {
      int run = mask.run(i);
      if ((i & 1) == 1) {
        for (long p = pos; p < pos + run; p++) {
          int x = (int) (p / h);
          int y = (int) (p - (long) x * h);
          raw[y * stride + 1 + (x >>> 3)] |= (byte) (0x80 >>> (x & 7));
        }
      }
      pos += run;
    }
    ByteArrayOutputStream idat = new ByteArrayOutputStream(256 + raw.length / 16);
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
      z.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot deflate in memory", e);
    } finally {
      deflater.end();
    }
    ByteBuffer header = ByteBuffer.allocate(13).putInt(w).putInt(h);
    header.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(SIGNATURE);
    chunk(out, "IHDR", header.array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
