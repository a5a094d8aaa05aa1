package io.maskgen.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.schema.rle.Rle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaskPngTest {

  @ParameterizedTest
  @CsvSource({"1,1,0.5", "7,13,0.5", "48,64,0.3", "33,17,0.0", "9,31,1.0", "120,1,0.5"})
  void decodesBackToTheMaskAsOneBitGray(int height, int width, double density) throws Exception {
    SplittableRandom rnd = new SplittableRandom(height * 1000L + width);
    byte[] mask = new byte[height * width];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = (byte) (rnd.nextDouble() < density ? 1 : 0);
    }
    byte[] png = MaskPng.encode(Rle.encodeRowMajor(mask, height, width));

    // IHDR: width, height, bit depth 1, colour type 0 (grayscale).
    assertThat(png[24]).isEqualTo((byte) 1);
    assertThat(png[25]).isEqualTo((byte) 0);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int expected = mask[y * width + x] != 0 ? 0xFFFFFF : 0;
        assertThat(image.getRGB(x, y) & 0xFFFFFF).as("(%d, %d)", x, y).isEqualTo(expected);
      }
    }
  }
}
