package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;
import java.util.List;

/**
 * What {@link MaskPredictor} returns for one prompt: what {@code SamPredictor.predict} returns.
 *
 * @param masks the masks in the decoder's order (three with multimask output, else one)
 * @param lowResHeight L, the height of the low-resolution logits (256 for SAM)
 * @param lowResWidth L, their width
 * @param lowResLogits masks.size() x L x L logits, row-major, in the frame of the padded model
 *     input scaled to L x L; can be given back as {@link MaskPrompt#maskInput} of one mask
 */
public record Prediction(
    List<Mask> masks, int lowResHeight, int lowResWidth, float[] lowResLogits) {

  /**
   * One predicted mask.
   *
   * @param rle the mask at the image's size (logits upscaled as SAM does, above the model's mask
   *     threshold)
   * @param score the decoder's predicted IoU
   * @param bboxXywh the mask's box (x, y, width, height), zeros when empty
   */
  public record Mask(Rle rle, float score, double[] bboxXywh) {}

  /** The low-resolution logits of mask {@code i}, L x L. */
  public float[] lowResLogits(int i) {
    int plane = lowResHeight * lowResWidth;
    float[] out = new float[plane];
    System.arraycopy(lowResLogits, i * plane, out, 0, plane);
    return out;
  }
}
