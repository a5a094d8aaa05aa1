package io.maskgen.model;

/**
 * What a CLIP package declares in its {@code clip.json}.
 *
 * @param name model name, part of the generator fingerprint
 * @param imageSize input side of the image encoder (224 for most CLIP models)
 * @param pixelMean RGB mean on the 0-1 scale
 * @param pixelStd RGB standard deviation on the 0-1 scale
 * @param contextLength token count of the text encoder input
 */
public record ClipSpec(
    String name, int imageSize, float[] pixelMean, float[] pixelStd, int contextLength) {}
