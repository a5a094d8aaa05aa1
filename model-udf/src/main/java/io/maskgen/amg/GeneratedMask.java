package io.maskgen.amg;

import io.maskgen.schema.rle.Rle;

/**
 * One mask of the automatic mask generator, with the fields of a SA-1B annotation; all coordinates
 * in pixels of the whole image.
 *
 * @param segmentation the binary mask, image-sized
 * @param bboxXywh {@code [x, y, w, h]} with {@code w = maxX - minX} and {@code h = maxY - minY} of
 *     the foreground pixels (the reference's {@code box_xyxy_to_xywh} of an inclusive box, one less
 *     than the COCO API's {@code rleToBbox}); zeros for an empty mask
 * @param area foreground pixels
 * @param predictedIou the decoder's IoU prediction
 * @param stabilityScore IoU of the mask thresholded at {@code threshold +- offset}
 * @param pointCoords the prompt, {@code [[x, y]]}
 * @param cropBoxXywh the crop the mask came from, {@code [x, y, w, h]}
 */
public record GeneratedMask(
    Rle segmentation,
    double[] bboxXywh,
    long area,
    float predictedIou,
    float stabilityScore,
    double[][] pointCoords,
    int[] cropBoxXywh) {}
