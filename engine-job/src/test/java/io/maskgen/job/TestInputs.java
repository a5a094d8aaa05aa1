package io.maskgen.job;

import io.maskgen.synth.SyntheticScenes;
import io.maskgen.synth.WriteExamples;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the inputs of the end-to-end tests: synthetic scenes in several encodings, a tar shard,
 * and broken files, each with the outcome the job must give it.
 */
final class TestInputs {

  /** What the job must report for an input: {@code null} for ok, else a fragment of its error. */
  final Map<String, String> expected = new LinkedHashMap<>();

  static final int W = 320;
  static final int H = 240;

  static BufferedImage scene(long seed) {
    return WriteExamples.toBufferedImage(SyntheticScenes.generate(seed, W, H).image());
  }

  /** Good and bad loose files under {@code dir}, plus one tar shard. */
  TestInputs write(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    // Good images in different encodings.
    ImageIO.write(scene(1), "png", dir.resolve("scene1.png").toFile());
    expected.put("scene1", null);
    ImageIO.write(scene(2), "jpg", dir.resolve("sub/scene2.jpg").toFile());
    expected.put("sub/scene2", null);
    ImageIO.write(gray(scene(3)), "png", dir.resolve("gray8.png").toFile());
    expected.put("gray8", null);
    ImageIO.write(gray16(scene(4)), "png", dir.resolve("gray16.png").toFile());
    expected.put("gray16", null);
    ImageIO.write(palette(scene(5)), "png", dir.resolve("palette.png").toFile());
    expected.put("palette", null);
    try (InputStream in = TestInputs.class.getResourceAsStream("/inputs/cmyk.jpg")) {
      Files.write(dir.resolve("cmyk.jpg"), in.readAllBytes());
    }
    expected.put("cmyk", null);

    // Bad ones.
    byte[] jpeg = encode(scene(6), "jpg");
    Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
    expected.put("truncated", "truncated");
    Files.writeString(dir.resolve("notes.jpg"), "this is not an image\n", StandardCharsets.UTF_8);
    expected.put("notes", "not an image");
    Files.write(dir.resolve("empty.png"), new byte[0]);
    expected.put("empty", "empty");
    Files.write(dir.resolve("bomb.png"), pngHeaderOnly(100_000, 100_000));
    expected.put("bomb", "max-image-pixels");
    Files.writeString(dir.resolve("readme.txt.json"), "{}"); // not an image extension: skipped

    // A tar shard of two images and their side files.
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(Files.newOutputStream(dir.resolve("shard_000.tar")))) {
      add(tar, "sa_7.jpg", encode(scene(7), "jpg"));
      add(tar, "sa_7.json", "{}".getBytes(StandardCharsets.UTF_8));
      add(tar, "sa_8.png", encode(scene(8), "png"));
    }
    expected.put("sa_7", null);
    expected.put("sa_8", null);
    return this;
  }

  static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, format, out);
    return out.toByteArray();
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static BufferedImage gray(BufferedImage rgb) {
    BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    g.getGraphics().drawImage(rgb, 0, 0, null);
    return g;
  }

  private static BufferedImage gray16(BufferedImage rgb) {
    BufferedImage g = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_USHORT_GRAY);
    short[] data = ((DataBufferUShort) g.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < rgb.getHeight(); y++) {
      for (int x = 0; x < rgb.getWidth(); x++) {
        int p = rgb.getRGB(x, y);
        int lum = (((p >> 16) & 255) * 299 + ((p >> 8) & 255) * 587 + (p & 255) * 114) / 1000;
        data[y * rgb.getWidth() + x] = (short) (lum * 257);
      }
    }
    return g;
  }

  private static BufferedImage palette(BufferedImage rgb) {
    byte[] r = new byte[256];
    byte[] gg = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      r[i] = (byte) ((i >> 5) * 36);
      gg[i] = (byte) (((i >> 2) & 7) * 36);
      b[i] = (byte) ((i & 3) * 85);
    }
    BufferedImage p =
        new BufferedImage(
            rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
            new IndexColorModel(8, 256, r, gg, b));
    p.getGraphics().drawImage(rgb, 0, 0, null);
    return p;
  }

  /** A PNG signature and IHDR claiming {@code w x h}, then IEND: no pixel data at all. */
  static byte[] pngHeaderOnly(int w, int h) {
    ByteBuffer buf = ByteBuffer.allocate(8 + 25 + 12);
    buf.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    buf.putInt(13).put(ihdr.array());
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    buf.putInt((int) crc.getValue());
    CRC32 end = new CRC32();
    end.update("IEND".getBytes(StandardCharsets.US_ASCII));
    buf.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt((int) end.getValue());
    return buf.array();
  }
}
