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
 */
public record SegmenterSpec(
    String name,
    int imageSize,
    float[] pixelMean,
    float[] pixelStd,
    float maskThreshold,
    boolean acceptsMaskInput) {}
