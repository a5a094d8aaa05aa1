package io.maskgen.synth;

import io.maskgen.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes the example images shipped in {@code notebooks/examples/}: synthetic scenes 0-3 at 640 x
 * 480 as PNG. Regenerate with {@code java -cp model-udf/target/classes
 * io.maskgen.synth.WriteExamples notebooks/examples}.
 */
public final class WriteExamples {

  private WriteExamples() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "notebooks/examples");
    Files.createDirectories(dir);
    for (int seed = 0; seed < 4; seed++) {
      SyntheticScenes.Scene scene = SyntheticScenes.generate(seed, 640, 480);
      Path file = dir.resolve(String.format("scene_%02d.png", seed));
      ImageIO.write(toBufferedImage(scene.image()), "png", file.toFile());
      System.out.println(file + ": " + scene.objects().size() + " objects");
    }
  }

  /** Converts to an AWT image (for writing files). */
  public static BufferedImage toBufferedImage(RgbImage image) {
    BufferedImage bi =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((java.awt.image.DataBufferByte) bi.getRaster().getDataBuffer()).getData();
    byte[] src = image.rgb();
    for (int p = 0; p < src.length; p += 3) {
      dst[p] = src[p + 2];
      dst[p + 1] = src[p + 1];
      dst[p + 2] = src[p];
    }
    return bi;
  }
}
