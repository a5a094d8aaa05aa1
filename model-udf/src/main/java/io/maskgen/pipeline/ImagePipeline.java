package io.maskgen.pipeline;

import io.maskgen.amg.AmgParams;
import io.maskgen.amg.AmgResult;
import io.maskgen.amg.AutomaticMaskGenerator;
import io.maskgen.amg.GeneratedMask;
import io.maskgen.clip.MaskCrops;
import io.maskgen.image.ImageDecodeException;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipModel;
import io.maskgen.model.SegmentationModel;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The work on one image, from its bytes to its dataset rows: decode, automatic mask generation,
 * CLIP embedding of every mask. Two steps, so a caller can decode the next image on another
 * thread while this one is in the model: {@link #decode} never throws for a bad image (it returns
 * a failed {@link DecodedImage}); {@link #process} turns it into rows. Engine failures (native
 * errors, out of memory) propagate, so Spark retries the task.
 *
 * <p>The models are borrowed, not owned: closing the pipeline closes only its own threads.
 */
public final class ImagePipeline implements AutoCloseable {

  /** Mask crops embedded per CLIP call. */
  public static final int CLIP_BATCH = 32;

  private final ClipModel clip;
  private final MaskCrops crops;
  private final AutomaticMaskGenerator amg;
  private final ImageDecoder decoder;
  private final String generator;
  private final String runId;

  /**
   * @param segmenter the segmentation model (borrowed)
   * @param clip the CLIP model (borrowed), or null to leave {@code clip_embedding} null
   * @param params generator parameters, validated against the model here
   * @param background how mask crops hide the outside of the mask
   * @param maxImagePixels images over this many pixels fail as too large
   * @param generator the generator fingerprint written to every row
   * @param runId the run written to every row
   * @param parallelism threads for post-processing
   */
  public ImagePipeline(
      SegmentationModel segmenter,
      ClipModel clip,
      AmgParams params,
      MaskCrops.Background background,
      long maxImagePixels,
      String generator,
      String runId,
      int parallelism) {
    params.validateFor(segmenter.spec());
    this.clip = clip;
    this.crops = clip == null ? null : MaskCrops.of(clip.spec(), background);
    this.amg = new AutomaticMaskGenerator(segmenter, params, parallelism);
    this.decoder = new ImageDecoder(maxImagePixels);
    this.generator = generator;
    this.runId = runId;
  }

  /**
   * Hashes and decodes one image's bytes.
   *
   * @param readError why the bytes could not be read (then {@code bytes} is null), or null
   */
  public DecodedImage decode(
      String imageId, String source, byte[] bytes, String readError, long startNanos) {
    if (readError != null) {
      return new DecodedImage(imageId, source, null, null, fileName(source) + ": " + readError,
          startNanos, 0);
    }
    String sha = sha256(bytes);
    long t0 = System.nanoTime();
    try {
      RgbImage image = decoder.decode(bytes, fileName(source));
      return new DecodedImage(imageId, source, sha, image, null, startNanos, System.nanoTime() - t0);
    } catch (ImageDecodeException e) {
      return new DecodedImage(imageId, source, sha, null, e.getMessage(), startNanos,
          System.nanoTime() - t0);
    }
  }

  /** Generates, embeds and packs the masks of a decoded image (or its failed row). */
  public ImageResult process(DecodedImage d) {
    StageTimes decodeTime = new StageTimes(d.decodeNanos(), 0, 0, 0, 0, 0);
    if (!d.ok()) {
      ImageRecord failed =
          ImageRecord.failed(
              d.imageId(), d.source(), d.sha256(), null, null, d.error(), generator, runId,
              seconds(d.startNanos()));
      return new ImageResult(failed, List.of(), decodeTime);
    }
    RgbImage image = d.image();
    AmgResult r = amg.generate(image);
    List<GeneratedMask> masks = r.masks();
    long c0 = System.nanoTime();
    float[][] embeddings = clip == null ? null : embed(image, masks);
    long clipNanos = clip == null ? 0 : System.nanoTime() - c0;

    List<MaskRecord> records = new ArrayList<>(masks.size());
    for (int i = 0; i < masks.size(); i++) {
      GeneratedMask m = masks.get(i);
      records.add(
          new MaskRecord(
              d.imageId(),
              i,
              image.height(),
              image.width(),
              m.segmentation().toCocoString(),
              m.bboxXywh(),
              m.area(),
              m.predictedIou(),
              m.stabilityScore(),
              m.pointCoords(),
              m.cropBoxXywh(),
              embeddings == null ? null : embeddings[i],
              generator,
              runId));
    }
    ImageRecord ok =
        ImageRecord.ok(
            d.imageId(), d.source(), d.sha256(), image.width(), image.height(), records.size(),
            generator, runId, seconds(d.startNanos()));
    StageTimes times =
        new StageTimes(
            d.decodeNanos(),
            r.preprocessNanos(),
            r.encodeNanos(),
            r.decodeNanos(),
            r.postprocessNanos(),
            clipNanos);
    return new ImageResult(ok, records, times);
  }

  private float[][] embed(RgbImage image, List<GeneratedMask> masks) {
    float[][] out = new float[masks.size()][];
    int per = crops.floatsPerCrop();
    float[] batch = new float[Math.min(CLIP_BATCH, Math.max(1, masks.size())) * per];
    for (int start = 0; start < masks.size(); start += CLIP_BATCH) {
      int n = Math.min(CLIP_BATCH, masks.size() - start);
      for (int k = 0; k < n; k++) {
        crops.write(image, masks.get(start + k).segmentation(), batch, k * per);
      }
      float[] input = n * per == batch.length ? batch : java.util.Arrays.copyOf(batch, n * per);
      float[][] e = clip.embedImages(input, n);
      System.arraycopy(e, 0, out, start, n);
    }
    return out;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static String fileName(String source) {
    int bang = source.lastIndexOf('!');
    String s = bang >= 0 ? source.substring(bang + 1) : source;
    return s.substring(s.lastIndexOf('/') + 1);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  @Override
  public void close() {
    amg.close();
  }
}
