package io.maskgen.model;

/**
 * Output of one decoder call.
 *
 * @param batch B, the number of prompts
 * @param masksPerPrompt M (3 in multimask mode)
 * @param height L, the low-resolution mask height (256 for SAM)
 * @param width L, the low-resolution mask width
 * @param logits B*M*L*L mask logits, row-major, in the frame of the padded model input scaled to LxL
 * @param iouPredictions B*M predicted IoUs
 */
public record DecodedMasks(
    int batch, int masksPerPrompt, int height, int width, float[] logits, float[] iouPredictions) {

  public DecodedMasks {
    if ((long) batch * masksPerPrompt * height * width != logits.length) {
      throw new IllegalArgumentException(
          "Decoder logits have "
              + logits.length
              + " values, expected "
              + batch
              + "x"
              + masksPerPrompt
              + "x"
              + height
              + "x"
              + width);
    }
    if (batch * masksPerPrompt != iouPredictions.length) {
      throw new IllegalArgumentException(
          "Decoder IoU predictions have "
              + iouPredictions.length
              + " values, expected "
              + batch
              + "x"
              + masksPerPrompt);
    }
  }

  /** Offset of mask (b, m) in {@link #logits}. */
  public int offset(int b, int m) {
    return (b * masksPerPrompt + m) * height * width;
  }
}
