package io.maskgen.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.maskgen.image.RgbImage;
import io.maskgen.render.Overlay.Layer;
import io.maskgen.schema.rle.Rle;
import io.maskgen.synth.SyntheticScenes;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlayTest {

  private static final int W = 96;
  private static final int H = 72;

  private final SyntheticScenes.Scene scene = SyntheticScenes.generate(3, W, H);

  /** The scene's objects, plus one large rectangle under all of them (given last). */
  private List<Layer> layers() {
    List<Layer> layers = new ArrayList<>();
    List<GroundTruth> objects = scene.objects();
    for (int i = 0; i < objects.size(); i++) {
      layers.add(new Layer(Rle.encodeRowMajor(objects.get(i).mask(), H, W), Overlay.colour(i)));
    }
    byte[] big = new byte[W * H];
    for (int y = 5; y < H - 5; y++) {
      for (int x = 4; x < W - 20; x++) {
        big[y * W + x] = 1;
      }
    }
    layers.add(new Layer(Rle.encodeRowMajor(big, H, W), 0x102030));
    return layers;
  }

  @Test
  void tintsEachPixelWithTheSmallestMaskCoveringItAndLeavesOthersUntouched() {
    List<Layer> layers = layers();
    RgbImage out = Overlay.draw(scene.image(), layers, 0.4, 0);
    byte[] in = scene.image().rgb();
    List<byte[]> decoded = new ArrayList<>();
    for (Layer l : layers) {
      decoded.add(l.mask().decodeRowMajor());
    }
    int tinted = 0;
    int untouched = 0;
    for (int p = 0; p < W * H; p++) {
      Layer top = null;
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        boolean covers = decoded.get(i)[p] != 0;
        if (covers && (top == null || l.mask().area() < top.mask().area())) {
          top = l;
        }
      }
      for (int c = 0; c < 3; c++) {
        int base = in[3 * p + c] & 0xFF;
        int expected =
            top == null
                ? base
                : (int) Math.round(0.6 * base + 0.4 * ((top.rgb() >>> (16 - 8 * c)) & 0xFF));
        assertThat(out.rgb()[3 * p + c] & 0xFF).as("pixel %d channel %d", p, c).isEqualTo(expected);
      }
      if (top == null) {
        untouched++;
      } else {
        tinted++;
      }
    }
    assertThat(tinted).isGreaterThan(W * H / 2);
    assertThat(untouched).isGreaterThan(0);
    assertThat(scene.image().rgb()).as("input unchanged").isEqualTo(in);
  }

  @ParameterizedTest
  @CsvSource({"1", "2"})
  void outlinesAreTheMaskPixelsWithinTheWidthOfItsBoundary(int width) {
    List<Layer> layers = layers();
    RgbImage filled = Overlay.draw(scene.image(), layers, 0.5, 0);
    RgbImage out = Overlay.draw(scene.image(), layers, 0.5, width);
    // Reference: a pixel is on the outline of a mask if it is in the mask and within `width`
    // 4-connected steps of a pixel outside it or of the image edge; smaller masks' outlines win.
    int[] owner = new int[W * H];
    java.util.Arrays.fill(owner, -1);
    List<Layer> byArea = new ArrayList<>(layers);
    byArea.sort((a, b) -> Long.compare(b.mask().area(), a.mask().area()));
    for (int i = 0; i < byArea.size(); i++) {
      byte[] m = byArea.get(i).mask().decodeRowMajor();
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          if (m[y * W + x] != 0 && distanceToOutside(m, x, y) <= width) {
            owner[y * W + x] = i;
          }
        }
      }
    }
    int outline = 0;
    for (int p = 0; p < W * H; p++) {
      for (int c = 0; c < 3; c++) {
        int expected =
            owner[p] >= 0
                ? (byArea.get(owner[p]).rgb() >>> (16 - 8 * c)) & 0xFF
                : filled.rgb()[3 * p + c] & 0xFF;
        assertThat(out.rgb()[3 * p + c] & 0xFF).as("pixel %d channel %d", p, c).isEqualTo(expected);
      }
      outline += owner[p] >= 0 ? 1 : 0;
    }
    assertThat(outline).isBetween(width * 100, W * H / 2);
  }

  @Test
  void colourIsDeterministicPerKeyAndVaries() {
    Set<Integer> colours = new HashSet<>();
    for (int k = 0; k < 100; k++) {
      int c = Overlay.colour(k);
      assertThat(c).isEqualTo(Overlay.colour(k)).isBetween(0, 0xFFFFFF);
      int max = Math.max(c >>> 16, Math.max((c >>> 8) & 0xFF, c & 0xFF));
      assertThat(max).as("bright enough").isGreaterThanOrEqualTo(190);
      colours.add(c);
    }
    assertThat(colours).hasSize(100);
  }

  @Test
  void rejectsMasksOfAnotherSizeAndBadParameters() {
    Layer wrong = new Layer(Rle.empty(H, W + 1), 0xFF0000);
    assertThatThrownBy(() -> Overlay.draw(scene.image(), List.of(wrong), 0.5, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Mask of 97x72 pixels does not match the 96x72 image (width x height)");
    assertThatThrownBy(() -> Overlay.draw(scene.image(), List.of(), 1.5, 1))
        .hasMessage("Invalid alpha: 1.5, expected 0..1");
    assertThatThrownBy(() -> new Layer(Rle.empty(H, W), 0x1000000))
        .hasMessage("Invalid colour: 0x01000000, expected 0xRRGGBB");
  }

  /** 4-connected steps from (x, y) to the nearest pixel outside the mask or the image. */
  private static int distanceToOutside(byte[] m, int x, int y) {
    int best = Math.min(Math.min(x + 1, W - x), Math.min(y + 1, H - y));
    for (int yy = 0; yy < H; yy++) {
      for (int xx = 0; xx < W; xx++) {
        if (m[yy * W + xx] == 0) {
          best = Math.min(best, Math.abs(xx - x) + Math.abs(yy - y));
        }
      }
    }
    return best;
  }
}
