package io.maskgen.image;

import io.maskgen.image.ImageDecodeException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * The IHDR facts of a PNG file, read after checking its chunk structure (every chunk complete, an
 * IDAT, an IEND) and before decoding any pixel.
 *
 * @param width image width in pixels (unsigned 32-bit in the file)
 * @param height image height in pixels (unsigned 32-bit in the file)
 * @param bitDepth bits per sample or palette index
 * @param colorType PNG colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA)
 */
record PngHeader(long width, long height, int bitDepth, int colorType) {

  private static final int SIGNATURE_LENGTH = 8;

  /** Called with the IHDR size before the rest of the file is checked. */
  interface SizeCheck {
    void check(long width, long height) throws ImageDecodeException;
  }

  /** Walks the chunks of {@code b}, which starts with the PNG signature. */
  static PngHeader parse(byte[] b, String name) throws ImageDecodeException {
    return parse(b, name, (w, h) -> {});
  }

  /**
   * Walks the chunks of {@code b}; {@code sizeCheck} sees the size as soon as IHDR is read, so an
   * oversized image is reported as such even when the rest of the file is broken.
   */
  static PngHeader parse(byte[] b, String name, SizeCheck sizeCheck) throws ImageDecodeException {
    int n = b.length;
    int pos = SIGNATURE_LENGTH;
    PngHeader header = null;
    boolean sawIdat = false;
    while (true) {
      if (pos + 8 > n) {
        throw new ImageDecodeException(
            name, Reason.TRUNCATED, "truncated PNG (ends at byte " + n + " without an IEND chunk)");
      }
      long length = u32(b, pos);
      String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > Integer.MAX_VALUE) {
        throw new ImageDecodeException(
            name,
            Reason.CORRUPT,
            "corrupt PNG (chunk '" + printable(type) + "' length " + length + ")");
      }
      long end = pos + 12 + length;
      if (end > n) {
        throw new ImageDecodeException(
            name,
            Reason.TRUNCATED,
            String.format(
                "truncated PNG (chunk '%s' at byte %d needs %d bytes, %d left)",
                printable(type), pos, length + 12, n - pos));
      }
      if (header == null) {
        if (!type.equals("IHDR") || length != 13) {
          throw new ImageDecodeException(name, Reason.CORRUPT, "corrupt PNG (no IHDR chunk first)");
        }
        int d = pos + 8;
        header = new PngHeader(u32(b, d), u32(b, d + 4), b[d + 8] & 0xff, b[d + 9] & 0xff);
        if (header.width == 0 || header.height == 0) {
          throw new ImageDecodeException(
              name,
              Reason.CORRUPT,
              "corrupt PNG (size " + header.width + "x" + header.height + ")");
        }
        sizeCheck.check(header.width, header.height);
      } else if (type.equals("IDAT")) {
        sawIdat = true;
      } else if (type.equals("IEND")) {
        if (!sawIdat) {
          throw new ImageDecodeException(name, Reason.CORRUPT, "corrupt PNG (no IDAT chunk)");
        }
        return header;
      }
      pos = (int) end;
    }
  }

  private static String printable(String type) {
    return type.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? type : "?";
  }

  private static long u32(byte[] b, int i) {
    return (b[i] & 0xffL) << 24
        | (b[i + 1] & 0xff) << 16
        | (b[i + 2] & 0xff) << 8
        | (b[i + 3] & 0xff);
  }
}
