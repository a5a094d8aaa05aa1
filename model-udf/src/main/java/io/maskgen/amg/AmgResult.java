package io.maskgen.amg;

import java.util.List;

/**
 * The masks of one image and where the time went. Stage times are summed over the threads that ran
 * them, so with parallel post-processing their sum can exceed {@link #totalNanos}.
 *
 * @param masks the masks, in the reference's output order
 * @param preprocessNanos cropping, resizing and normalising the crops
 * @param encodeNanos image encoder calls
 * @param decodeNanos prompt decoder calls (including the M2M refinement)
 * @param postprocessNanos filtering, upsampling, RLE, NMS and small-region removal
 * @param totalNanos wall time of {@link AutomaticMaskGenerator#generate}
 */
public record AmgResult(
    List<GeneratedMask> masks,
    long preprocessNanos,
    long encodeNanos,
    long decodeNanos,
    long postprocessNanos,
    long totalNanos) {

  public AmgResult {
    masks = List.copyOf(masks);
  }
}
