package io.maskgen.amg;

import io.maskgen.image.PreparedImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pure-Java stand-in for SAM that segments by colour: the image encoder samples the prepared
 * input at the centre of each low-res cell (L = S / 4) and quantises its colour; a prompt point's
 * mask is every cell of the colour under the point (logits +200 inside, -170 outside: steep edges
 * keep stability scores high even for small shapes, and asymmetric so that bilinear midpoints
 * between cells are not exactly 0), so masks with holes and islands come from the scene itself.
 * Multimask outputs are (0) that colour region, IoU 0.95, (1) the region dilated by one cell, IoU
 * 0.9, (2) the whole input, IoU 0.6; with 4 masks per prompt a single-mask token (the region, IoU
 * 0.93) comes first, like SAM's raw decoder. With a mask input it returns that mask (thresholded at
 * 0) with IoU 0.97.
 *
 * <p>Thread-safe; counts decode calls and open embeddings so tests can check nothing leaks.
 */
final class FakeSegmentationModel implements SegmentationModel {
  static final float INSIDE = 200f;
  static final float OUTSIDE = -170f;

  private final SegmenterSpec spec;
  private final int masksPerPrompt;
  private final int low;
  final AtomicInteger openEmbeddings = new AtomicInteger();
  final AtomicInteger encodeCalls = new AtomicInteger();
  final AtomicInteger decodeCalls = new AtomicInteger();
  final AtomicInteger maskInputPrompts = new AtomicInteger();

  FakeSegmentationModel(int imageSize, int masksPerPrompt, boolean acceptsMaskInput) {
    this.spec =
        new SegmenterSpec(
            "fake-sam",
            imageSize,
            new float[] {0, 0, 0},
            new float[] {1, 1, 1},
            0f,
            acceptsMaskInput);
    this.masksPerPrompt = masksPerPrompt;
    this.low = imageSize / 4;
  }

  @Override
  public SegmenterSpec spec() {
    return spec;
  }

  private final class Embedding implements ImageEmbedding {
    final int[] colour; // per low-res cell, -1 for padding
    boolean closed;

    Embedding(int[] colour) {
      this.colour = colour;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        openEmbeddings.decrementAndGet();
      }
    }
  }

  @Override
  public ImageEmbedding encode(PreparedImage image) {
    encodeCalls.incrementAndGet();
    int s = image.size();
    int[] colour = new int[low * low];
    for (int i = 0; i < low; i++) {
      for (int j = 0; j < low; j++) {
        int y = i * 4 + 2;
        int x = j * 4 + 2;
        if (y >= image.inputHeight() || x >= image.inputWidth()) {
          colour[i * low + j] = -1;
          continue;
        }
        int key = 0;
        for (int c = 0; c < 3; c++) {
          int v = Math.round(image.chw()[c * s * s + y * s + x]);
          key = key * 8 + Math.max(0, Math.min(7, (v + 16) / 32));
        }
        colour[i * low + j] = key;
      }
    }
    openEmbeddings.incrementAndGet();
    return new Embedding(colour);
  }

  @Override
  public DecodedMasks decode(ImageEmbedding embedding, PointPrompts prompts) {
    decodeCalls.incrementAndGet();
    Embedding e = (Embedding) embedding;
    if (e.closed) {
      throw new IllegalStateException("decode on a closed embedding");
    }
    int b = prompts.batch();
    int plane = low * low;
    int m = masksPerPrompt;
    float[] logits = new float[b * m * plane];
    float[] iou = new float[b * m];
    for (int p = 0; p < b; p++) {
      float x = prompts.coords()[2 * p * prompts.points()];
      float y = prompts.coords()[2 * p * prompts.points() + 1];
      boolean[] region;
      if (prompts.maskInput() != null) {
        maskInputPrompts.incrementAndGet();
        region = new boolean[plane];
        for (int k = 0; k < plane; k++) {
          region[k] = prompts.maskInput()[p * plane + k] > 0;
        }
        for (int k = 0; k < m; k++) {
          fill(logits, (p * m + k) * plane, region);
          iou[p * m + k] = 0.97f;
        }
        continue;
      }
      int ci = Math.min(low - 1, (int) (y * low / spec.imageSize()));
      int cj = Math.min(low - 1, (int) (x * low / spec.imageSize()));
      int target = e.colour[ci * low + cj];
      region = new boolean[plane];
      boolean[] all = new boolean[plane];
      for (int k = 0; k < plane; k++) {
        region[k] = e.colour[k] == target && target >= 0;
        all[k] = e.colour[k] >= 0;
      }
      boolean[][] masks = {region, dilate(region), all};
      float[] scores = {0.95f, 0.9f, 0.6f};
      int base = 0;
      if (m == 4) {
        fill(logits, (p * m) * plane, region);
        iou[p * m] = 0.93f;
        base = 1;
      }
      for (int k = 0; k + base < m; k++) {
        fill(logits, (p * m + base + k) * plane, masks[k % 3]);
        iou[p * m + base + k] = scores[k % 3];
      }
    }
    return new DecodedMasks(b, m, low, low, logits, iou);
  }

  private boolean[] dilate(boolean[] r) {
    boolean[] out = new boolean[r.length];
    for (int i = 0; i < low; i++) {
      for (int j = 0; j < low; j++) {
        boolean any = false;
        for (int di = -1; di <= 1 && !any; di++) {
          for (int dj = -1; dj <= 1 && !any; dj++) {
            int a = i + di;
            int c = j + dj;
            any = a >= 0 && a < low && c >= 0 && c < low && r[a * low + c];
          }
        }
        out[i * low + j] = any;
      }
    }
    return out;
  }

  private static void fill(float[] logits, int offset, boolean[] region) {
    for (int k = 0; k < region.length; k++) {
      logits[offset + k] = region[k] ? INSIDE : OUTSIDE;
    }
  }

  @Override
  public void close() {}
}
