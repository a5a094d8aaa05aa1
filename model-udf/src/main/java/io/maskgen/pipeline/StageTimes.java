package io.maskgen.pipeline;

/**
 * Where the time of one or more images went, in nanoseconds. Stages that run on several threads
 * are summed over the threads.
 *
 * @param decodeImage reading headers and decoding pixels
 * @param preprocess cropping, resizing and normalising model inputs
 * @param encode image encoder calls
 * @param decodePrompts prompt decoder calls
 * @param postprocess filters, upsampling, RLE, NMS, small regions
 * @param clip mask crops and CLIP image encoder calls
 */
public record StageTimes(
    long decodeImage, long preprocess, long encode, long decodePrompts, long postprocess, long clip) {

  public static final StageTimes ZERO = new StageTimes(0, 0, 0, 0, 0, 0);

  public StageTimes plus(StageTimes o) {
    return new StageTimes(
        decodeImage + o.decodeImage,
        preprocess + o.preprocess,
        encode + o.encode,
        decodePrompts + o.decodePrompts,
        postprocess + o.postprocess,
        clip + o.clip);
  }

  /** The stages as name -> seconds, in pipeline order. */
  public java.util.Map<String, Double> seconds() {
    java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
    m.put("decode_image", decodeImage / 1e9);
    m.put("preprocess", preprocess / 1e9);
    m.put("encode", encode / 1e9);
    m.put("decode_prompts", decodePrompts / 1e9);
    m.put("postprocess", postprocess / 1e9);
    m.put("clip", clip / 1e9);
    return m;
  }
}
