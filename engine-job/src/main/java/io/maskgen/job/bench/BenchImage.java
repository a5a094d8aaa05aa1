package io.maskgen.job.bench;

import io.maskgen.image.ImageDecodeException;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.Resampling;
import io.maskgen.image.ResizeFilter;
import io.maskgen.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A benchmark input: an image resized to a size and encoded as JPEG, so the timed runs include
 * decoding like a real job.
 *
 * @param name file name without extension
 * @param jpeg the encoded image
 */
record BenchImage(String name, int width, int height, byte[] jpeg) {

  private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

  /** The image files of a folder (not recursive, sorted) or the files themselves. */
  static List<Path> list(List<Path> inputs) {
    List<Path> files = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(BenchImage::isImage).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot list " + p + ": " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new IllegalArgumentException("Invalid --images: " + p + " does not exist");
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Invalid --images: no .jpg/.jpeg/.png/.bmp in " + inputs);
    }
    return files;
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith);
  }

  static RgbImage decode(Path file) {
    try {
      return new ImageDecoder().decode(Files.readAllBytes(file), file.getFileName().toString());
    } catch (ImageDecodeException e) {
      throw new IllegalArgumentException("Invalid --images: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code image} resized to about {@code megapixels} million pixels (0: as it is), as JPEG. */
  static BenchImage of(String name, RgbImage image, double megapixels) {
    RgbImage sized = image;
    if (megapixels > 0) {
      double scale = Math.sqrt(megapixels * 1e6 / ((double) image.width() * image.height()));
      int w = Math.max(1, (int) Math.round(image.width() * scale));
      int h = Math.max(1, (int) Math.round(image.height() * scale));
      if (w != image.width() || h != image.height()) {
        sized = Resampling.resize(image, w, h, ResizeFilter.BILINEAR);
      }
    }
    return new BenchImage(name, sized.width(), sized.height(), jpeg(sized));
  }

  private static byte[] jpeg(RgbImage image) {
    BufferedImage b = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    byte[] rgb = image.rgb();
    int[] row = new int[image.width()];
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int i = (y * image.width() + x) * 3;
        row[x] = (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
      }
      b.setRGB(0, y, image.width(), 1, row, 0, image.width());
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(0.92f);
      writer.write(null, new IIOImage(b, null, null), p);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a benchmark image: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }
}
