package io.maskgen.image;

import io.maskgen.image.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image file bytes (JPEG, PNG, GIF, BMP, TIFF) into an 8-bit {@link RgbImage} with the
 * conventions of OpenCV's {@code imread(IMREAD_COLOR)}:
 *
 * <ul>
 *   <li>gray, gray+alpha, RGB, RGBA and palette images become RGB; alpha is dropped, not
 *       composited; no colour management: embedded ICC profiles are ignored (a JPEG's APP2
 *       {@code ICC_PROFILE} segments are left out before the JDK's reader sees the file, which
 *       would otherwise convert to sRGB), so the RGB is libjpeg-turbo's, as in PIL and OpenCV;
 *   <li>16-bit samples keep their high byte ({@code v >> 8}, libpng's strip_16, as OpenCV and PIL
 *       do for 16-bit RGB);
 *   <li>CMYK and YCCK JPEGs are converted with {@code R = (255 - C) * (255 - K) / 255} (no ICC),
 *       honouring the Adobe APP14 transform flag and Adobe's inverted CMYK;
 *   <li>JPEG EXIF orientation (1-8) is applied, so the result is upright;
 *   <li>multi-image files (animated GIF, multi-page TIFF) yield their first image.
 * </ul>
 *
 * <p>Every failure is an {@link ImageDecodeException} naming the file and the {@link Reason}. The
 * pixel count is checked against the limit from the header, before any pixel is decoded, so
 * decompression bombs fail fast. WebP, HEIF/AVIF, JPEG 2000 and JPEG XL are recognised and rejected
 * as {@code UNSUPPORTED}.
 *
 * <p>Thread-safe: each call uses its own ImageIO reader.
 */
public final class ImageDecoder {

  /**
   * Default pixel limit: PIL's decompression-bomb error threshold, {@code 2 * 1024^3 / 4 / 3}
   * pixels (about 13400 x 13400).
   */
  public static final long DEFAULT_MAX_PIXELS = 178_956_970L;

  /** The largest limit allowed: an RGB buffer of that many pixels still fits in one Java array. */
  public static final long MAX_SUPPORTED_PIXELS = (Integer.MAX_VALUE - 8) / 3;

  private final long maxPixels;

  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  /** A decoder that rejects images of more than {@code maxPixels} pixels (width x height). */
  public ImageDecoder(long maxPixels) {
    if (maxPixels < 1 || maxPixels > MAX_SUPPORTED_PIXELS) {
      throw new IllegalArgumentException(
          "Invalid max image pixels: " + maxPixels + " (allowed 1.." + MAX_SUPPORTED_PIXELS + ")");
    }
    this.maxPixels = maxPixels;
  }

  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Decodes one image file.
   *
   * @param bytes the whole file
   * @param name how to name the file in error messages (usually its path)
   * @return the upright image, RGB interleaved
   * @throws ImageDecodeException if the bytes are not a decodable image within the pixel limit
   */
  public RgbImage decode(byte[] bytes, String name) throws ImageDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new ImageDecodeException(name, Reason.EMPTY, "empty file (0 bytes)");
    }
    Format format = Format.detect(bytes, name);
    return switch (format) {
      case JPEG -> decodeJpeg(bytes, name);
      case PNG -> {
        PngHeader.parse(bytes, name, (w, h) -> checkPixels(w, h, name, format));
        yield read(bytes, name, format, null);
      }
      default -> read(bytes, name, format, null);
    };
  }

  private RgbImage decodeJpeg(byte[] bytes, String name) throws ImageDecodeException {
    JpegHeader jpeg = JpegHeader.parse(bytes, name);
    String unsupported = jpeg.unsupportedFeature();
    if (unsupported != null) {
      throw new ImageDecodeException(name, Reason.UNSUPPORTED, "unsupported " + unsupported);
    }
    checkPixels(jpeg.width(), jpeg.height(), name, Format.JPEG);
    // The JDK's reader converts from an embedded non-sRGB profile to sRGB; libjpeg-turbo (PIL,
    // OpenCV) does not. Without the profile's segments it decodes to libjpeg's RGB, bit-exact.
    byte[] plain = jpeg.withoutIccProfile(bytes);
    return Orientation.apply(read(plain, name, Format.JPEG, jpeg), jpeg.orientation());
  }

  private void checkPixels(long width, long height, String name, Format format)
      throws ImageDecodeException {
    if (width <= 0 || height <= 0) {
      throw new ImageDecodeException(
          name, Reason.CORRUPT, "corrupt " + format.label + " (size " + width + "x" + height + ")");
    }
    // Both factors are at most maxPixels < 2^30 when multiplied: no overflow.
    if (width > maxPixels || height > maxPixels || width * height > maxPixels) {
      BigInteger pixels = BigInteger.valueOf(width).multiply(BigInteger.valueOf(height));
      throw new ImageDecodeException(
          name,
          Reason.TOO_LARGE,
          width
              + "x"
              + height
              + " = "
              + pixels
              + " pixels exceeds --max-image-pixels "
              + maxPixels);
    }
  }

  /** Decodes with the JDK's ImageIO reader for {@code format}; {@code jpeg} is its JPEG header. */
  private RgbImage read(byte[] bytes, String name, Format format, JpegHeader jpeg)
      throws ImageDecodeException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
    if (!readers.hasNext()) {
      throw new ImageDecodeException(
          name, Reason.UNSUPPORTED, "unsupported " + format.label + " (no ImageIO reader)");
    }
    ImageReader reader = readers.next();
    List<String> warnings = new ArrayList<>();
    Raster cmyk = null;
    BufferedImage image = null;
    try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      if (format != Format.JPEG && format != Format.PNG) {
        checkPixels(reader.getWidth(0), reader.getHeight(0), name, format);
      }
      if (jpeg != null && jpeg.components() == 4) {
        // ImageIO has no image type for CMYK/YCCK; the raster holds the unconverted samples.
        cmyk = reader.readRaster(0, null);
      } else {
        image = reader.read(0, null);
      }
    } catch (IOException e) {
      throw classify(e, bytes, name, format);
    } catch (RuntimeException e) {
      // ImageIO plugins signal some malformed data with unchecked exceptions
      // (ArrayIndexOutOfBounds, IllegalArgument, NegativeArraySize...).
      throw new ImageDecodeException(
          name, Reason.CORRUPT, "corrupt " + format.label + " (" + describe(e) + ")", e);
    } finally {
      reader.dispose();
    }
    checkWarnings(warnings, name, format);
    if (cmyk != null) {
      byte[] rgb = RasterConversion.fromCmyk(cmyk, jpeg.ycck(), jpeg.adobeInverted());
      return new RgbImage(cmyk.getWidth(), cmyk.getHeight(), rgb);
    }
    return new RgbImage(image.getWidth(), image.getHeight(), RasterConversion.toRgb(image));
  }

  private static void checkWarnings(List<String> warnings, String name, Format format)
      throws ImageDecodeException {
    for (String w : warnings) {
      if (isTruncation(w)) {
        String detail =
            w.contains("Missing EOI") ? "no end-of-image marker" : w.toLowerCase(Locale.ROOT);
        throw new ImageDecodeException(
            name, Reason.TRUNCATED, "truncated " + format.label + " (" + detail + ")");
      }
    }
  }

  private static boolean isTruncation(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("truncated")
        || m.contains("premature end")
        || m.contains("unexpected end")
        || m.contains("missing eoi");
  }

  private static ImageDecodeException classify(
      IOException e, byte[] bytes, String name, Format format) {
    boolean truncated = !format.looksComplete(bytes);
    for (Throwable t = e; t != null && !truncated; t = t.getCause()) {
      truncated = t instanceof EOFException || isTruncation(t.getMessage());
    }
    if (truncated) {
      return new ImageDecodeException(
          name, Reason.TRUNCATED, "truncated " + format.label + " (" + describe(e) + ")", e);
    }
    // Unsupported JPEG processes are caught from the header; libjpeg's remaining "Unsupported
    // marker type" errors mean damaged data.
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    Reason reason =
        format != Format.JPEG && message.contains("unsupported")
            ? Reason.UNSUPPORTED
            : Reason.CORRUPT;
    String what = reason == Reason.UNSUPPORTED ? "unsupported " : "corrupt ";
    return new ImageDecodeException(
        name, reason, what + format.label + " (" + describe(e) + ")", e);
  }

  /** The messages of {@code e} and its causes, joined; the class name where there is none. */
  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
      if (sb.indexOf(part) < 0) {
        if (sb.length() > 0) {
          sb.append(": ");
        }
        sb.append(part);
      }
    }
    return sb.toString();
  }

  /** File formats, recognised by their signature rather than the file name. */
  enum Format {
    JPEG("jpeg", "JPEG"),
    PNG("png", "PNG"),
    GIF("gif", "GIF"),
    BMP("bmp", "BMP"),
    TIFF("tiff", "TIFF");

    final String imageIoName;
    final String label;

    Format(String imageIoName, String label) {
      this.imageIoName = imageIoName;
      this.label = label;
    }

    static Format detect(byte[] b, String name) throws ImageDecodeException {
      if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
        return JPEG;
      }
      if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
        return PNG;
      }
      if (startsWith(b, 0, 'G', 'I', 'F', '8') && b.length >= 6 && b[5] == 'a') {
        return GIF;
      }
      if (startsWith(b, 0, 'B', 'M') && b.length >= 26) {
        return BMP;
      }
      if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)) {
        return TIFF;
      }
      if (isPrefixOfSignature(b)) {
        throw new ImageDecodeException(
            name,
            Reason.TRUNCATED,
            "truncated file (" + b.length + " bytes of an image signature)");
      }
      String other = null;
      if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
        other = "WebP";
      } else if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
        other = "HEIF/AVIF";
      } else if (startsWith(b, 0, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ')
          || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
        other = "JPEG 2000";
      } else if (startsWith(b, 0, 0xFF, 0x0A)
          || startsWith(b, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
        other = "JPEG XL";
      }
      if (other != null) {
        throw new ImageDecodeException(name, Reason.UNSUPPORTED, "unsupported " + other + " image");
      }
      throw new ImageDecodeException(
          name, Reason.NOT_AN_IMAGE, "not an image (unknown signature " + signature(b) + ")");
    }

    /** Whether the file ends the way a complete file of this format does. */
    boolean looksComplete(byte[] b) {
      int n = b.length;
      return switch (this) {
        case JPEG -> indexOfEoi(b) >= 0;
        case GIF -> b[n - 1] == 0x3B;
        case BMP ->
            n
                >= ((b[2] & 0xffL)
                    | (b[3] & 0xffL) << 8
                    | (b[4] & 0xffL) << 16
                    | (b[5] & 0xffL) << 24);
        default -> true;
      };
    }

    /** An FF D9 among the last bytes (some writers append padding after it). */
    private static int indexOfEoi(byte[] b) {
      for (int i = b.length - 2; i >= Math.max(0, b.length - 1024); i--) {
        if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xD9) {
          return i;
        }
      }
      return -1;
    }

    private static boolean startsWith(byte[] b, int off, int... prefix) {
      if (b.length < off + prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if ((b[off + i] & 0xff) != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    /** Whether a short file is the start of a JPEG, PNG or GIF signature. */
    private static boolean isPrefixOfSignature(byte[] b) {
      int[][] signatures = {
        {0xFF, 0xD8, 0xFF}, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, {'G', 'I', 'F', '8'}
      };
      for (int[] sig : signatures) {
        if (b.length < sig.length && startsWith(b, 0, Arrays.copyOf(sig, b.length))) {
          return true;
        }
      }
      return false;
    }

    private static String signature(byte[] b) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Math.min(8, b.length); i++) {
        sb.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xff));
      }
      return sb.toString();
    }
  }
}
