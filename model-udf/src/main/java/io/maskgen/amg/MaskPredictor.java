package io.maskgen.amg;

import io.maskgen.amg.MaskUpsampler.Thresholds;
import io.maskgen.image.PreparedImage;
import io.maskgen.image.Preprocessing;
import io.maskgen.image.RgbImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt mode, segment-anything's {@code SamPredictor}: encodes an image once ({@link #setImage}),
 * then predicts masks for prompts (points, a box, both, and optionally an earlier mask's logits).
 *
 * <p>The pre-processing is the generator's and the reference's ({@code ResizeLongestSide}):
 * coordinates are scaled into the model input frame by {@code resized / original} per axis; the
 * decoder adds the half-pixel shift. A box becomes two points labelled 2 and 3 after the prompt's
 * points. Masks are the low-resolution logits upscaled to the image ({@code postprocess_masks})
 * and thresholded at the model's mask threshold.
 *
 * <p>A decoder with 4 outputs per prompt gives SAM's single-mask output as mask 0 and the multimask
 * outputs as masks 1-3; one with 3 outputs has no single-mask output, and its mask 0 stands in.
 */
public final class MaskPredictor {
  private final SegmentationModel model;
  private final SegmenterSpec spec;

  /** A predictor on {@code model}, which stays owned by the caller. */
  public MaskPredictor(SegmentationModel model) {
    this.model = model;
    this.spec = model.spec();
  }

  /** Encodes {@code image}; the returned session predicts on it and must be closed. */
  public ImageSession setImage(RgbImage image) {
    PreparedImage prepared =
        Preprocessing.prepare(image, spec.imageSize(), spec.pixelMean(), spec.pixelStd());
    return new ImageSession(image.height(), image.width(), prepared, model.encode(prepared));
  }

  /** One image's embedding and its frame; predicts any number of prompts. Not thread-safe. */
  public final class ImageSession implements AutoCloseable {
    private final int height;
    private final int width;
    private final PreparedImage prepared;
    private final ImageEmbedding embedding;

    private ImageSession(
        int height, int width, PreparedImage prepared, ImageEmbedding embedding) {
      this.height = height;
      this.width = width;
      this.prepared = prepared;
      this.embedding = embedding;
    }

    /**
     * Predicts the masks of one prompt.
     *
     * @throws IllegalArgumentException if the model cannot take the prompt (a box for a decoder
     *     that pads every prompt itself, a mask input for one without {@code mask_input})
     */
    public Prediction predict(MaskPrompt prompt) {
      if (prompt.boxXyxy() != null && !spec.acceptsBoxes()) {
        throw new IllegalArgumentException(
            "Model "
                + spec.name()
                + " cannot take box prompts: its decoder appends a padding point to every prompt"
                + " (model.json lacks \"decoder_pads_points\": false); export it again with"
                + " model-udf/models/export/export_sam.py");
      }
      if (prompt.maskInput() != null && !spec.acceptsMaskInput()) {
        throw new IllegalArgumentException(
            "Model " + spec.name() + " takes no mask input (its decoder has no mask_input)");
      }
      DecodedMasks decoded = model.decode(embedding, toModelFrame(prompt));
      if (decoded.batch() != 1 || decoded.masksPerPrompt() < 1) {
        throw new IllegalStateException(
            "Decoder returned " + decoded.batch() + " x " + decoded.masksPerPrompt()
                + " masks for 1 prompt");
      }
      int[] selected = PromptBatch.selectedMasks(decoded.masksPerPrompt(), prompt.multimask());
      int lowH = decoded.height();
      int lowW = decoded.width();
      int plane = lowH * lowW;
      MaskUpsampler up =
          MaskUpsampler.create(
              lowH,
              lowW,
              prepared.size(),
              prepared.inputHeight(),
              prepared.inputWidth(),
              height,
              width);
      float t = spec.maskThreshold();
      Thresholds thresholds = new Thresholds(t, t, t);
      float[] logits = new float[selected.length * plane];
      List<Prediction.Mask> masks = new ArrayList<>(selected.length);
      for (int i = 0; i < selected.length; i++) {
        int offset = decoded.offset(0, selected[i]);
        System.arraycopy(decoded.logits(), offset, logits, i * plane, plane);
        MaskUpsampler.Binarized b =
            up.binarize(decoded.logits(), offset, thresholds, 0, 0, height, width);
        masks.add(
            new Prediction.Mask(
                b.rle(), decoded.iouPredictions()[selected[i]], b.rle().bboxXywh()));
      }
      return new Prediction(masks, lowH, lowW, logits);
    }

    /**
     * The prompt in the model input frame ({@code apply_coords}): points, then the box's corners
     * labelled 2 and 3.
     */
    PointPrompts toModelFrame(MaskPrompt prompt) {
      double sx = (double) prepared.inputWidth() / width;
      double sy = (double) prepared.inputHeight() / height;
      int n = prompt.pointCount() + (prompt.boxXyxy() == null ? 0 : 2);
      float[] coords = new float[2 * n];
      float[] labels = new float[n];
      double[] p = prompt.pointsXy();
      for (int i = 0; i < prompt.pointCount(); i++) {
        coords[2 * i] = (float) (p[2 * i] * sx);
        coords[2 * i + 1] = (float) (p[2 * i + 1] * sy);
        labels[i] = prompt.labels()[i];
      }
      double[] box = prompt.boxXyxy();
      if (box != null) {
        int k = prompt.pointCount();
        coords[2 * k] = (float) (box[0] * sx);
        coords[2 * k + 1] = (float) (box[1] * sy);
        coords[2 * k + 2] = (float) (box[2] * sx);
        coords[2 * k + 3] = (float) (box[3] * sy);
        labels[k] = PointPrompts.BOX_TOP_LEFT;
        labels[k + 1] = PointPrompts.BOX_BOTTOM_RIGHT;
      }
      return new PointPrompts(1, n, coords, labels, prompt.maskInput());
    }

    public int height() {
      return height;
    }

    public int width() {
      return width;
    }

    @Override
    public void close() {
      embedding.close();
    }
  }
}
