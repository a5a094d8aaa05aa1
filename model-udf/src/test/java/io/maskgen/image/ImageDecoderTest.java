package io.maskgen.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.image.ImageDecodeException.Reason;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

  private static final Path PHOTOS =
      Path.of(System.getProperty("maskgen.shared.dir", "../../shared"), "testdata", "photos");

  private final ImageDecoder decoder = new ImageDecoder();

  // ---- PNG variants: exact values ----

  @Test
  void decodesRgbPngExactly() throws Exception {
    BufferedImage img = randomRgb(37, 23, 1);
    RgbImage out = decoder.decode(write(img, "png"), "rgb.png");
    assertThat(out.width()).isEqualTo(37);
    assertThat(out.height()).isEqualTo(23);
    assertThat(out.rgb()).isEqualTo(rgbOf(img));
  }

  @Test
  void dropsAlphaOfRgbaPngWithoutCompositing() throws Exception {
    BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_4BYTE_ABGR);
    Random random = new Random(2);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 16; x++) {
        int alpha = x == 0 ? 0 : random.nextInt(256);
        img.setRGB(x, y, alpha << 24 | random.nextInt(1 << 24));
      }
    }
    byte[] png = write(img, "png");
    assertThat(png[25]).as("PNG colour type RGBA").isEqualTo((byte) 6);
    RgbImage out = decoder.decode(png, "rgba.png");
    assertThat(out.rgb()).isEqualTo(rgbOf(img));
  }

  @Test
  void replicatesGrayWithoutGammaConversion() throws Exception {
    byte[] gray = randomBytes(20 * 10, 3);
    gray[0] = 100; // getRGB() of a linear-gray BufferedImage would turn this into ~170
    byte[] png = rawPng(20, 10, 8, 0, gray);
    RgbImage out = decoder.decode(png, "gray.png");
    for (int i = 0; i < gray.length; i++) {
      assertThat(Arrays.copyOfRange(out.rgb(), 3 * i, 3 * i + 3))
          .containsExactly(gray[i], gray[i], gray[i]);
    }
  }

  @Test
  void scalesTwoBitGrayToFullRange() throws Exception {
    // One row of 4 pixels with samples 0, 1, 2, 3 packed into one byte.
    byte[] png = rawPng(4, 1, 2, 0, new byte[] {(byte) 0b00_01_10_11});
    RgbImage out = decoder.decode(png, "gray2.png");
    assertThat(channel(out, 0)).containsExactly(0, 85, 170, 255);
  }

  @Test
  void keepsHighByteOfSixteenBitGray() throws Exception {
    int[] samples = {0x0000, 0x00ff, 0x1234, 0x80ff, 0xff00, 0xffff};
    byte[] png = rawPng(6, 1, 16, 0, bigEndian16(samples));
    RgbImage out = decoder.decode(png, "gray16.png");
    assertThat(channel(out, 0)).containsExactly(0x00, 0x00, 0x12, 0x80, 0xff, 0xff);
    assertThat(channel(out, 2)).containsExactly(0x00, 0x00, 0x12, 0x80, 0xff, 0xff);
  }

  @Test
  void keepsHighByteOfSixteenBitRgbWrittenByImageIo() throws Exception {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(3, 2);
    int[] samples = {0x0000, 0x1234, 0xffff, 0xabcd, 0x00ff, 0x8000};
    for (int i = 0; i < 6; i++) {
      raster.setPixel(
          i % 3, i / 3, new int[] {samples[i], samples[(i + 1) % 6], samples[(i + 2) % 6]});
    }
    byte[] png = write(new BufferedImage(cm, raster, false, null), "png");
    assertThat(png[24]).as("PNG bit depth").isEqualTo((byte) 16);
    RgbImage out = decoder.decode(png, "rgb16.png");
    for (int i = 0; i < 6; i++) {
      assertThat(Arrays.copyOfRange(out.rgb(), 3 * i, 3 * i + 3))
          .containsExactly(
              (byte) (samples[i] >> 8),
              (byte) (samples[(i + 1) % 6] >> 8),
              (byte) (samples[(i + 2) % 6] >> 8));
    }
  }

  @Test
  void dropsAlphaOfSixteenBitGrayAlpha() throws Exception {
    // Gray+alpha, 16 bit: (gray, alpha) pairs.
    byte[] png = rawPng(2, 1, 16, 4, bigEndian16(new int[] {0x4000, 0x0000, 0xc0ff, 0xffff}));
    RgbImage out = decoder.decode(png, "ga16.png");
    assertThat(channel(out, 1)).containsExactly(0x40, 0xc0);
  }

  @Test
  void looksUpEightBitPalette() throws Exception {
    byte[] r = {(byte) 255, 0, 0, 17};
    byte[] g = {0, (byte) 255, 0, 34};
    byte[] b = {0, 0, (byte) 255, 51};
    IndexColorModel icm = new IndexColorModel(8, 4, r, g, b);
    BufferedImage img = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_INDEXED, icm);
    for (int i = 0; i < 15; i++) {
      img.getRaster().setSample(i % 5, i / 5, 0, i % 4);
    }
    byte[] png = write(img, "png");
    assertThat(png[25]).as("PNG colour type palette").isEqualTo((byte) 3);
    RgbImage out = decoder.decode(png, "palette.png");
    for (int i = 0; i < 15; i++) {
      int k = i % 4;
      assertThat(Arrays.copyOfRange(out.rgb(), 3 * i, 3 * i + 3)).containsExactly(r[k], g[k], b[k]);
    }
  }

  @Test
  void looksUpFourBitPackedPalette() throws Exception {
    byte[] lut = new byte[16];
    for (int i = 0; i < 16; i++) {
      lut[i] = (byte) (i * 16 + 3);
    }
    IndexColorModel icm = new IndexColorModel(4, 16, lut, new byte[16], lut);
    BufferedImage img = new BufferedImage(7, 2, BufferedImage.TYPE_BYTE_BINARY, icm);
    for (int i = 0; i < 14; i++) {
      img.getRaster().setSample(i % 7, i / 7, 0, i);
    }
    RgbImage out = decoder.decode(write(img, "png"), "palette4.png");
    for (int i = 0; i < 14; i++) {
      assertThat(Arrays.copyOfRange(out.rgb(), 3 * i, 3 * i + 3))
          .containsExactly(lut[i], (byte) 0, lut[i]);
    }
  }

  // ---- other formats ----

  @ParameterizedTest
  @ValueSource(strings = {"bmp", "gif"})
  void decodesBmpAndGif(String format) throws Exception {
    // Eight flat colours: exact in BMP, exactly representable in a GIF palette.
    // 8 rows: the JDK's GIF reader misplaces rows of interlaced GIFs shorter than 5 rows.
    BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 8; y++) {
        int k = (x / 2 + y) % 8;
        img.setRGB(x, y, ((k & 1) * 255) << 16 | ((k >> 1 & 1) * 255) << 8 | (k >> 2) * 255);
      }
    }
    RgbImage out = decoder.decode(write(img, format), "flat." + format);
    assertThat(out.rgb()).isEqualTo(rgbOf(img));
  }

  @Test
  void decodesJpegColoursWithinCompressionError() throws Exception {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR);
    int[] colours = {0xc81e28, 0x1e8c3c, 0x2846dc, 0x808080};
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        img.setRGB(x, y, colours[(y / 16) * 2 + x / 16]);
      }
    }
    RgbImage out = decoder.decode(write(img, "jpeg"), "quads.jpg");
    for (int q = 0; q < 4; q++) {
      int[] px = pixel(out, (q % 2) * 16 + 8, (q / 2) * 16 + 8);
      int c = colours[q];
      assertClose(px, new int[] {c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff}, 8);
    }
  }

  @Test
  void decodesGrayJpeg() throws Exception {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        img.getRaster().setSample(x, y, 0, x < 8 ? 60 : 200);
      }
    }
    RgbImage out = decoder.decode(write(img, "jpeg"), "gray.jpg");
    assertClose(pixel(out, 3, 8), new int[] {60, 60, 60}, 3);
    assertClose(pixel(out, 12, 8), new int[] {200, 200, 200}, 3);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "icc_adobe_rgb", "icc_display_p3_progressive", "icc_adobe_rgb_split",
        "icc_display_p3_exif_6"
      })
  void ignoresEmbeddedIccProfilesExactlyLikeLibjpegTurbo(String name) throws Exception {
    // generate_icc_fixtures.py: JPEGs carrying non-sRGB profiles (APP2 ICC_PROFILE), and what
    // libjpeg-turbo (PIL and OpenCV alike) decodes them to, as PNG.
    byte[] jpeg = resource(name + ".jpg");
    byte[] withoutProfile = withoutIccSegments(jpeg);
    assertThat(withoutProfile.length).isLessThan(jpeg.length - 300);
    RgbImage expected = decoder.decode(resource(name + ".png"), name + ".png");

    RgbImage out = decoder.decode(jpeg, name + ".jpg");
    assertThat(out.width()).isEqualTo(64);
    assertThat(out.height()).isEqualTo(48);
    assertSamePixels(out.rgb(), expected.rgb(), "libjpeg-turbo");
    assertSamePixels(
        decoder.decode(withoutProfile, name + ".jpg").rgb(), out.rgb(), "the file without APP2");
  }

  /** Equal samples, or a failure saying how many differ and by how much at most. */
  private static void assertSamePixels(byte[] actual, byte[] expected, String what) {
    assertThat(actual.length).isEqualTo(expected.length);
    int differ = 0;
    int max = 0;
    for (int i = 0; i < actual.length; i++) {
      int d = Math.abs((actual[i] & 0xff) - (expected[i] & 0xff));
      differ += d == 0 ? 0 : 1;
      max = Math.max(max, d);
    }
    assertThat(differ)
        .as("samples differing from %s (at most by %d levels)", what, max)
        .isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk.jpg", "ycck.jpg"})
  void convertsAdobeCmykAndYcckJpegs(String file) throws Exception {
    // generate_fixtures.py: ink quadrants red, green, 50% black, orange (checked with PIL, cv2).
    RgbImage out = decoder.decode(resource(file), file);
    assertThat(out.width()).isEqualTo(32);
    assertThat(out.height()).isEqualTo(32);
    assertClose(pixel(out, 8, 8), new int[] {255, 0, 0}, 4);
    assertClose(pixel(out, 24, 8), new int[] {0, 255, 0}, 4);
    assertClose(pixel(out, 8, 24), new int[] {127, 127, 127}, 4);
    assertClose(pixel(out, 24, 24), new int[] {255, 127, 0}, 4);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void appliesExifOrientation(int orientation) throws Exception {
    // Stored so that orientation makes it a 32x16 white picture, red top-left, green top-right.
    RgbImage out = decoder.decode(resource("exif_" + orientation + ".jpg"), "exif.jpg");
    assertThat(out.width()).isEqualTo(32);
    assertThat(out.height()).isEqualTo(16);
    assertClose(pixel(out, 3, 3), new int[] {255, 0, 0}, 12);
    assertClose(pixel(out, 28, 3), new int[] {0, 255, 0}, 12);
    assertClose(pixel(out, 3, 12), new int[] {255, 255, 255}, 12);
    assertClose(pixel(out, 28, 12), new int[] {255, 255, 255}, 12);
  }

  @ParameterizedTest
  @CsvSource({
    "dog.jpg, 800, 534, 150.607, 148.697, 148.145, 400, 267, 226, 225, 231",
    "groceries.jpg, 800, 534, 109.502, 105.725, 102.931, 200, 133, 108, 122, 87",
    "truck.jpg, 1800, 1200, 145.787, 126.492, 135.2, 900, 600, 165, 174, 189"
  })
  void decodesRealPhotosLikePil(
      String file, int w, int h, double mr, double mg, double mb, int x, int y, int r, int g, int b)
      throws Exception {
    // Reference values: PIL 9.4 Image.open(file).convert("RGB") (OpenCV's imread agrees exactly).
    RgbImage out = decoder.decode(Files.readAllBytes(PHOTOS.resolve(file)), file);
    assertThat(out.width()).isEqualTo(w);
    assertThat(out.height()).isEqualTo(h);
    double[] mean = new double[3];
    for (int i = 0; i < out.rgb().length; i++) {
      mean[i % 3] += out.rgb()[i] & 0xff;
    }
    for (int c = 0; c < 3; c++) {
      mean[c] /= (double) w * h;
    }
    assertThat(mean[0]).isCloseTo(mr, org.assertj.core.data.Offset.offset(0.5));
    assertThat(mean[1]).isCloseTo(mg, org.assertj.core.data.Offset.offset(0.5));
    assertThat(mean[2]).isCloseTo(mb, org.assertj.core.data.Offset.offset(0.5));
    // Different IDCT implementations (JDK libjpeg 6b vs libjpeg-turbo): a few levels apart.
    assertClose(pixel(out, x, y), new int[] {r, g, b}, 4);
  }

  @Test
  void decodesConcurrentlyWithTheSameResults() throws Exception {
    List<byte[]> files = new ArrayList<>();
    for (String f : new String[] {"dog.jpg", "groceries.jpg", "truck.jpg"}) {
      files.add(Files.readAllBytes(PHOTOS.resolve(f)));
    }
    files.add(write(randomRgb(300, 200, 4), "png"));
    List<byte[]> expected = new ArrayList<>();
    for (byte[] f : files) {
      expected.add(decoder.decode(f, "f").rgb());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> futures = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        byte[] f = files.get(i % files.size());
        futures.add(pool.submit(() -> decoder.decode(f, "f").rgb()));
      }
      for (int i = 0; i < 16; i++) {
        assertThat(futures.get(i).get()).isEqualTo(expected.get(i % files.size()));
      }
    } finally {
      pool.shutdown();
    }
  }

  // ---- failures ----

  @Test
  void rejectsEmptyFile() {
    assertFails(new byte[0], "empty.jpg", Reason.EMPTY, "empty.jpg: empty file (0 bytes)");
  }

  @Test
  void rejectsTextFileNamedJpg() {
    byte[] text = "hello, this is not a picture\n".getBytes(StandardCharsets.US_ASCII);
    assertFails(
        text,
        "notes.jpg",
        Reason.NOT_AN_IMAGE,
        "notes.jpg: not an image (unknown signature 68 65 6c 6c 6f 2c 20 74)");
  }

  @Test
  void rejectsTheFirstBytesOfASignatureAsTruncated() {
    assertFails(
        new byte[] {(byte) 0xFF, (byte) 0xD8},
        "a.jpg",
        Reason.TRUNCATED,
        "a.jpg: truncated file (2 bytes of an image signature)");
  }

  @Test
  void rejectsWebpAsUnsupported() {
    byte[] webp = "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII);
    assertFails(webp, "a.webp", Reason.UNSUPPORTED, "a.webp: unsupported WebP image");
  }

  @Test
  void rejectsJpegTruncatedInTheImageData() throws Exception {
    byte[] photo = Files.readAllBytes(PHOTOS.resolve("dog.jpg"));
    byte[] cut = Arrays.copyOf(photo, photo.length * 6 / 10);
    assertFails(
        cut, "dog.jpg", Reason.TRUNCATED, "dog.jpg: truncated JPEG (no end-of-image marker)");
  }

  @Test
  void rejectsJpegMissingOnlyItsEndMarker() throws Exception {
    byte[] jpeg = write(randomRgb(24, 24, 5), "jpeg");
    byte[] cut = Arrays.copyOf(jpeg, jpeg.length - 2);
    assertFails(cut, "x.jpg", Reason.TRUNCATED, "x.jpg: truncated JPEG (no end-of-image marker)");
  }

  @Test
  void rejectsJpegTruncatedInTheHeaders() throws Exception {
    byte[] photo = Files.readAllBytes(PHOTOS.resolve("dog.jpg"));
    assertFails(
        Arrays.copyOf(photo, 100), "dog.jpg", Reason.TRUNCATED, "dog.jpg: truncated JPEG (");
  }

  @Test
  void rejectsTruncatedPng() throws Exception {
    byte[] png = write(randomRgb(64, 48, 6), "png");
    assertFails(
        Arrays.copyOf(png, png.length / 2),
        "x.png",
        Reason.TRUNCATED,
        "x.png: truncated PNG (chunk 'IDAT'");
    assertFails(
        Arrays.copyOf(png, png.length - 12),
        "x.png",
        Reason.TRUNCATED,
        "x.png: truncated PNG (ends at byte " + (png.length - 12) + " without an IEND chunk)");
  }

  @Test
  void rejectsTruncatedGif() throws Exception {
    byte[] gif = write(randomRgb(64, 48, 7), "gif");
    assertFails(
        Arrays.copyOf(gif, gif.length / 2), "x.gif", Reason.TRUNCATED, "x.gif: truncated GIF");
  }

  @Test
  void rejectsPngWhoseImageDataIsNotZlib() {
    byte[] garbage = randomBytes(200, 8);
    byte[] png = png(new int[] {10, 10, 8, 2}, garbage);
    assertFails(png, "bad.png", Reason.CORRUPT, "bad.png: corrupt PNG (");
  }

  @Test
  void rejectsDecompressionBombPngFromItsHeader() {
    // Claims 100000 x 100000 RGB (30 GB decoded); would exhaust the test JVM if decoded.
    byte[] png = png(new int[] {100_000, 100_000, 8, 2}, deflate(new byte[1000]));
    assertFails(
        png,
        "huge.png",
        Reason.TOO_LARGE,
        "huge.png: 100000x100000 = 10000000000 pixels exceeds --max-image-pixels 178956970");
  }

  @Test
  void reportsAnOversizedPngAsTooLargeEvenWhenTheRestOfTheFileIsBroken() {
    // IHDR claims 100000 x 100000, and the file ends without any image data.
    byte[] png = png(new int[] {100_000, 100_000, 8, 2}, deflate(new byte[1000]));
    byte[] cut = java.util.Arrays.copyOf(png, 8 + 25 + 4);
    assertFails(
        cut,
        "huge.png",
        Reason.TOO_LARGE,
        "huge.png: 100000x100000 = 10000000000 pixels exceeds --max-image-pixels 178956970");
  }

  @Test
  void rejectsDecompressionBombJpegFromItsHeader() throws Exception {
    byte[] jpeg = write(randomRgb(16, 16, 9), "jpeg");
    int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
    jpeg[sof + 5] = jpeg[sof + 6] = jpeg[sof + 7] = jpeg[sof + 8] = (byte) 0xFF;
    assertFails(
        jpeg,
        "huge.jpg",
        Reason.TOO_LARGE,
        "huge.jpg: 65535x65535 = 4294836225 pixels exceeds --max-image-pixels 178956970");
  }

  @Test
  void appliesTheConfiguredPixelLimitToEveryFormat() throws Exception {
    ImageDecoder small = new ImageDecoder(64 * 48 - 1);
    for (String format : new String[] {"png", "jpeg", "gif", "bmp"}) {
      byte[] bytes = write(randomRgb(64, 48, 10), format);
      assertThatThrownBy(() -> small.decode(bytes, "x"))
          .isInstanceOf(ImageDecodeException.class)
          .hasMessage("x: 64x48 = 3072 pixels exceeds --max-image-pixels 3071");
      assertThat(new ImageDecoder(64 * 48).decode(bytes, "x").width()).isEqualTo(64);
    }
  }

  @Test
  void rejectsTwelveBitJpegAsUnsupported() throws Exception {
    byte[] jpeg = write(randomRgb(16, 16, 11), "jpeg");
    int sof = indexOf(jpeg, (byte) 0xFF, (byte) 0xC0);
    jpeg[sof + 4] = 12;
    assertFails(jpeg, "deep.jpg", Reason.UNSUPPORTED, "deep.jpg: unsupported 12-bit JPEG");
  }

  @Test
  void rejectsInvalidPixelLimits() {
    assertThatThrownBy(() -> new ImageDecoder(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid max image pixels: 0");
    assertThatThrownBy(() -> new ImageDecoder(ImageDecoder.MAX_SUPPORTED_PIXELS + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jpeg", "png", "gif", "bmp"})
  void damagedFilesFailOnlyWithDecodeExceptions(String format) throws Exception {
    byte[] good = write(randomRgb(40, 30, 12), format);
    Random random = new Random(13);
    for (int trial = 0; trial < 300; trial++) {
      byte[] bad = good.clone();
      if (trial % 3 == 0) {
        bad = Arrays.copyOf(bad, random.nextInt(bad.length));
      } else {
        for (int k = 0; k <= trial % 4; k++) {
          bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        RgbImage out = decoder.decode(bad, "bad." + format);
        assertThat(out.rgb()).hasSize(out.width() * out.height() * 3);
      } catch (ImageDecodeException e) {
        assertThat(e.getMessage()).startsWith("bad." + format + ": ");
      }
    }
  }

  // ---- helpers ----

  private void assertFails(byte[] bytes, String name, Reason reason, String messagePrefix) {
    assertThatThrownBy(() -> decoder.decode(bytes, name))
        .isInstanceOfSatisfying(
            ImageDecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.fileName()).isEqualTo(name);
              assertThat(e.getMessage()).startsWith(messagePrefix);
            });
  }

  private static void assertClose(int[] actual, int[] expected, int tolerance) {
    for (int c = 0; c < 3; c++) {
      assertThat(actual[c])
          .as("channel %d of %s vs %s", c, Arrays.toString(actual), Arrays.toString(expected))
          .isBetween(expected[c] - tolerance, expected[c] + tolerance);
    }
  }

  private static int[] pixel(RgbImage img, int x, int y) {
    int i = (y * img.width() + x) * 3;
    return new int[] {img.rgb()[i] & 0xff, img.rgb()[i + 1] & 0xff, img.rgb()[i + 2] & 0xff};
  }

  private static int[] channel(RgbImage img, int c) {
    int[] out = new int[img.width() * img.height()];
    for (int i = 0; i < out.length; i++) {
      out[i] = img.rgb()[3 * i + c] & 0xff;
    }
    return out;
  }

  private static BufferedImage randomRgb(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    return img;
  }

  private static byte[] rgbOf(BufferedImage img) {
    byte[] out = new byte[img.getWidth() * img.getHeight() * 3];
    int i = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int c = img.getRGB(x, y);
        out[i++] = (byte) (c >> 16);
        out[i++] = (byte) (c >> 8);
        out[i++] = (byte) c;
      }
    }
    return out;
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] bigEndian16(int[] samples) {
    ByteBuffer buf = ByteBuffer.allocate(samples.length * 2);
    for (int s : samples) {
      buf.putShort((short) s);
    }
    return buf.array();
  }

  private static byte[] write(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).as("ImageIO writes " + format).isTrue();
    return out.toByteArray();
  }

  /** The JPEG without its APP2 segments (which hold the ICC profile), the rest byte for byte. */
  private static byte[] withoutIccSegments(byte[] jpeg) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    int pos = 2;
    while (true) {
      assertThat(jpeg[pos] & 0xff).isEqualTo(0xff);
      int marker = jpeg[pos + 1] & 0xff;
      if (marker == 0xDA) {
        out.write(jpeg, pos, jpeg.length - pos);
        return out.toByteArray();
      }
      int length = (jpeg[pos + 2] & 0xff) << 8 | (jpeg[pos + 3] & 0xff);
      if (marker != 0xE2) {
        out.write(jpeg, pos, 2 + length);
      }
      pos += 2 + length;
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/images/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static int indexOf(byte[] b, byte first, byte second) {
    for (int i = 0; i + 1 < b.length; i++) {
      if (b[i] == first && b[i + 1] == second) {
        return i;
      }
    }
    throw new AssertionError("marker not found");
  }

  /** A PNG of unfiltered rows: {@code packedRows} holds each row's samples, bytes padded. */
  private static byte[] rawPng(int w, int h, int depth, int colorType, byte[] packedRows) {
    int rowBytes = packedRows.length / h;
    byte[] filtered = new byte[h * (rowBytes + 1)];
    for (int y = 0; y < h; y++) {
      System.arraycopy(packedRows, y * rowBytes, filtered, y * (rowBytes + 1) + 1, rowBytes);
    }
    return png(new int[] {w, h, depth, colorType}, deflate(filtered));
  }

  /** A PNG with IHDR {w, h, depth, colorType}, one IDAT holding {@code idat}, and IEND. */
  private static byte[] png(int[] ihdr, byte[] idat) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer header = ByteBuffer.allocate(13);
    header.putInt(ihdr[0]).putInt(ihdr[1]).put((byte) ihdr[2]).put((byte) ihdr[3]);
    chunk(out, "IHDR", header.array());
    chunk(out, "IDAT", idat);
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

  private static byte[] deflate(byte[] data) {
    Deflater d = new Deflater();
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }
}
