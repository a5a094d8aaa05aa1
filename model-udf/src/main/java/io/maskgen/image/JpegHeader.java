package io.maskgen.image;

import io.maskgen.image.ImageDecodeException.Reason;
import java.util.stream.IntStream;

/**
 * What the decoder reads from a JPEG's marker segments before decoding any pixel: the frame header
 * (SOFn), the Adobe APP14 colour transform, the EXIF orientation and where the ICC profile is.
 *
 * @param width image width in pixels, as stored (before orientation)
 * @param height image height in pixels, as stored (before orientation)
 * @param components number of colour components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK)
 * @param precision bits per sample
 * @param sofMarker the frame marker, 0xC0 (baseline) to 0xCF
 * @param adobeTransform the APP14 transform flag (0 none, 1 YCbCr, 2 YCCK), or -1 without APP14
 * @param orientation EXIF orientation 1-8 (tag 0x0112 of IFD0), 1 when absent or invalid
 * @param iccSegments the APP2 {@code ICC_PROFILE} segments, as pairs of offsets: the segment's
 *     marker (its FF byte) and the end of the segment (exclusive); empty without a profile
 */
record JpegHeader(
    int width,
    int height,
    int components,
    int precision,
    int sofMarker,
    int adobeTransform,
    int orientation,
    int[] iccSegments) {

  private static final byte[] EXIF = {'E', 'x', 'i', 'f', 0, 0};
  private static final byte[] ICC_PROFILE = {
    'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0
  };
  private static final byte[] ADOBE = {'A', 'd', 'o', 'b', 'e'};

  /**
   * Why the JDK's libjpeg cannot decode this file, or null if it can: it reads 8-bit baseline,
   * extended and progressive Huffman JPEGs with 1, 3 or 4 components.
   */
  String unsupportedFeature() {
    switch (sofMarker) {
      case 0xC0, 0xC1, 0xC2:
        break;
      case 0xC3, 0xC7, 0xCB, 0xCF:
        return "lossless JPEG";
      case 0xC9, 0xCA:
        return "arithmetic-coded JPEG";
      default:
        return String.format("hierarchical JPEG (SOF 0x%02X)", sofMarker);
    }
    if (precision != 8) {
      return precision + "-bit JPEG";
    }
    if (components != 1 && components != 3 && components != 4) {
      return "JPEG with " + components + " components";
    }
    if (height == 0) {
      return "JPEG whose height is defined by a DNL marker";
    }
    return null;
  }

  /** A 4-component image whose components are YCCK (libjpeg's rule: APP14 with transform != 0). */
  boolean ycck() {
    return components == 4 && adobeTransform > 0;
  }

  /** CMYK/YCCK stored inverted, as Adobe writes it: any file with an APP14 segment. */
  boolean adobeInverted() {
    return adobeTransform >= 0;
  }

  /**
   * The file {@code b} (whose header this is) without its ICC profile segments, the rest byte for
   * byte; {@code b} itself when it has none. libjpeg ignores these segments, but the JDK's reader
   * would convert the pixels from the profile's colour space to sRGB.
   */
  byte[] withoutIccProfile(byte[] b) {
    if (iccSegments.length == 0) {
      return b;
    }
    int removed = 0;
    for (int i = 0; i < iccSegments.length; i += 2) {
      removed += iccSegments[i + 1] - iccSegments[i];
    }
    byte[] out = new byte[b.length - removed];
    int from = 0;
    int to = 0;
    for (int i = 0; i < iccSegments.length; i += 2) {
      int n = iccSegments[i] - from;
      System.arraycopy(b, from, out, to, n);
      to += n;
      from = iccSegments[i + 1];
    }
    System.arraycopy(b, from, out, to, b.length - from);
    return out;
  }

  /** Walks the marker segments from SOI up to the first SOS; {@code b} starts with FF D8. */
  static JpegHeader parse(byte[] b, String name) throws ImageDecodeException {
    int n = b.length;
    int pos = 2;
    int width = -1;
    int height = -1;
    int components = 0;
    int precision = 0;
    int sof = 0;
    int adobe = -1;
    int orientation = 1;
    boolean sawExif = false;
    IntStream.Builder icc = IntStream.builder();
    while (true) {
      // Like libjpeg, skip stray bytes before a marker and any 0xFF fill bytes.
      while (pos < n && (b[pos] & 0xff) != 0xff) {
        pos++;
      }
      while (pos < n && (b[pos] & 0xff) == 0xff) {
        pos++;
      }
      if (pos >= n) {
        throw truncated(name, "ends in the headers, before the image data");
      }
      int marker = b[pos++] & 0xff;
      if (marker == 0x00
          || marker == 0x01
          || marker == 0xD8
          || (marker >= 0xD0 && marker <= 0xD7)) {
        continue;
      }
      if (marker == 0xD9) {
        throw new ImageDecodeException(
            name, Reason.CORRUPT, "corrupt JPEG (end-of-image marker before any image data)");
      }
      if (pos + 2 > n) {
        throw truncated(name, "ends in the headers, before the image data");
      }
      int length = u16(b, pos);
      if (length < 2) {
        throw new ImageDecodeException(
            name,
            Reason.CORRUPT,
            String.format("corrupt JPEG (marker 0x%02X with segment length %d)", marker, length));
      }
      if (pos + length > n) {
        throw truncated(name, String.format("ends inside the 0x%02X marker segment", marker));
      }
      int seg = pos + 2;
      int segLength = length - 2;
      if (marker == 0xDA) {
        if (width < 0) {
          throw new ImageDecodeException(
              name, Reason.CORRUPT, "corrupt JPEG (no frame header before the image data)");
        }
        return new JpegHeader(
            width, height, components, precision, sof, adobe, orientation, icc.build().toArray());
      }
      if (isSof(marker) && width < 0) {
        if (segLength < 6) {
          throw new ImageDecodeException(name, Reason.CORRUPT, "corrupt JPEG (short frame header)");
        }
        precision = b[seg] & 0xff;
        height = u16(b, seg + 1);
        width = u16(b, seg + 3);
        components = b[seg + 5] & 0xff;
        sof = marker;
      } else if (marker == 0xE1 && !sawExif && startsWith(b, seg, segLength, EXIF)) {
        sawExif = true;
        orientation = exifOrientation(b, seg + EXIF.length, segLength - EXIF.length);
      } else if (marker == 0xEE && segLength >= 12 && startsWith(b, seg, segLength, ADOBE)) {
        adobe = b[seg + 11] & 0xff;
      } else if (marker == 0xE2 && startsWith(b, seg, segLength, ICC_PROFILE)) {
        icc.add(pos - 2);
        icc.add(pos + length);
      }
      pos += length;
    }
  }

  private static ImageDecodeException truncated(String name, String where) {
    return new ImageDecodeException(name, Reason.TRUNCATED, "truncated JPEG (" + where + ")");
  }

  private static boolean isSof(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  /** The orientation tag of IFD0 in a TIFF structure at [off, off + len); 1 if absent/invalid. */
  static int exifOrientation(byte[] b, int off, int len) {
    if (len < 8) {
      return 1;
    }
    boolean little;
    if (b[off] == 'I' && b[off + 1] == 'I') {
      little = true;
    } else if (b[off] == 'M' && b[off + 1] == 'M') {
      little = false;
    } else {
      return 1;
    }
    if (tiff16(b, off + 2, little) != 42) {
      return 1;
    }
    long ifd = tiff32(b, off + 4, little);
    if (ifd < 8 || ifd + 2 > len) {
      return 1;
    }
    int count = tiff16(b, off + (int) ifd, little);
    for (int i = 0; i < count; i++) {
      int entry = off + (int) ifd + 2 + 12 * i;
      if (entry + 12 > off + len) {
        break;
      }
      if (tiff16(b, entry, little) == 0x0112) {
        int type = tiff16(b, entry + 2, little);
        int value = tiff16(b, entry + 8, little);
        return type == 3 && value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[off + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
  }

  private static int tiff16(byte[] b, int i, boolean little) {
    return little ? (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 : u16(b, i);
  }

  private static long tiff32(byte[] b, int i, boolean little) {
    long lo = tiff16(b, little ? i : i + 2, little);
    long hi = tiff16(b, little ? i + 2 : i, little);
    return hi << 16 | lo;
  }
}
