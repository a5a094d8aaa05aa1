package io.maskgen.model;

/**
 * What a segmentation model package declares in its {@code model.json}.
 *
 * @param name model name, part of the generator fingerprint
 * @param imageSize S: the encoder input is S x S
 * @param pixelMean RGB mean on the 0-255 scale
 * @param pixelStd RGB standard deviation on the 0-255 scale
 * @param maskThreshold logit threshold that binarises a mask (0.0 for SAM)
 * @param acceptsMaskInput whether the decoder takes {@code mask_input}/{@code has_mask_input}
 * @param acceptsBoxes whether the decoder takes box prompts as SAM's prompt encoder does: box
 *     corners as points labelled 2 and 3, and no padding point in a prompt with a box. True when
 *     the package leaves the padding point to the runtime ({@code "decoder_pads_points": false});
 *     a decoder that appends the padding point to every prompt itself cannot take boxes exactly.
 */
public record SegmenterSpec(
    String name,
    int imageSize,
    float[] pixelMean,
    float[] pixelStd,
    float maskThreshold,
    boolean acceptsMaskInput,
    boolean acceptsBoxes) {

  /** A spec of a model whose decoder appends the padding point itself (no box prompts). */
  public SegmenterSpec(
      String name,
      int imageSize,
      float[] pixelMean,
      float[] pixelStd,
      float maskThreshold,
      boolean acceptsMaskInput) {
    this(name, imageSize, pixelMean, pixelStd, maskThreshold, acceptsMaskInput, false);
  }
}
