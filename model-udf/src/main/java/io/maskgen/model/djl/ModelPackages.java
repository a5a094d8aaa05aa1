package io.maskgen.model.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.maskgen.model.ClipModel;
import io.maskgen.model.ClipSpec;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and loads model packages (the format is described in {@code model-udf/models/README.md}).
 * Every problem with a package is an {@link IllegalArgumentException} naming the file and field.
 */
public final class ModelPackages {

  public static final String SEGMENTER_DESCRIPTOR = "model.json";
  public static final String CLIP_DESCRIPTOR = "clip.json";

  private ModelPackages() {}

  /** The spec of a segmentation package, read from its {@code model.json} without loading it. */
  public static SegmenterSpec readSegmenterSpec(Path dir) {
    return segmenterSpec(PackageJson.read(dir, SEGMENTER_DESCRIPTOR), null);
  }

  private static SegmenterSpec segmenterSpec(PackageJson json, Boolean acceptsMaskInput) {
    json.engine();
    json.file("encoder");
    json.file("decoder");
    Boolean declared = json.boolOrNull("decoder_mask_input");
    // Packages written before the field existed pad in the decoder.
    boolean decoderPads = !Boolean.FALSE.equals(json.boolOrNull("decoder_pads_points"));
    return new SegmenterSpec(
        json.string("name"),
        json.positiveInt("image_size"),
        json.rgb("pixel_mean"),
        json.rgb("pixel_std"),
        json.floatOr("mask_threshold", 0f),
        acceptsMaskInput != null ? acceptsMaskInput : Boolean.TRUE.equals(declared),
        !decoderPads);
  }

  /** The spec of a CLIP package, read from its {@code clip.json} without loading it. */
  public static ClipSpec readClipSpec(Path dir) {
    PackageJson json = PackageJson.read(dir, CLIP_DESCRIPTOR);
    json.engine();
    json.file("image_encoder");
    json.file("text_encoder");
    json.file("tokenizer");
    return new ClipSpec(
        json.string("name"),
        json.positiveInt("image_size"),
        json.rgb("pixel_mean"),
        json.rgb("pixel_std"),
        json.positiveInt("context_length"));
  }

  /** Loads a segmentation package onto {@code device}. The caller closes the model. */
  public static SegmentationModel loadSegmenter(Path dir, DeviceChoice device) {
    return loadSegmenter(dir, device, 0);
  }

  /**
   * Loads a segmentation package onto {@code device} for a task that owns {@code cpuThreads} cores
   * (0: the runtime's default, every core): ONNX Runtime computes each encoder call on up to that
   * many threads and each decoder call on one, since the generator runs up to {@code cpuThreads}
   * decoder calls at once ({@link io.maskgen.amg.AutomaticMaskGenerator}'s parallelism). The
   * caller closes the model.
   */
  public static SegmentationModel loadSegmenter(Path dir, DeviceChoice device, int cpuThreads) {
    PackageJson json = PackageJson.read(dir, SEGMENTER_DESCRIPTOR);
    segmenterSpec(json, null); // validates every field before anything native is loaded
    String engine = json.engine();
    Device d = device.toDevice(engine);
    Model encoder = Engines.load(json.file("encoder"), engine, d, cpuThreads);
    Model decoder;
    try {
      decoder = Engines.load(json.file("decoder"), engine, d, cpuThreads > 0 ? 1 : 0);
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
    try {
      List<String> decoderInputs = decoderInputs(json, engine, decoder);
      SegmenterSpec spec =
          segmenterSpec(json, decoderInputs.contains(DjlSegmentationModel.MASK_INPUT));
      return new DjlSegmentationModel(spec, encoder, decoder, decoderInputs);
    } catch (RuntimeException e) {
      encoder.close();
      decoder.close();
      throw e;
    }
  }

  private static List<String> decoderInputs(PackageJson json, String engine, Model decoder) {
    List<String> declared = Engines.inputNames(decoder);
    boolean named =
        engine.equals("OnnxRuntime")
            && declared.contains(DjlSegmentationModel.POINT_COORDS)
            && declared.contains(DjlSegmentationModel.POINT_LABELS);
    if (named) {
      return declared;
    }
    // TorchScript: positional, encoder outputs first (in their order), then the prompts.
    List<String> inputs = new ArrayList<>();
    inputs.add(DjlSegmentationModel.ALL_ENCODER_OUTPUTS);
    inputs.add(DjlSegmentationModel.POINT_COORDS);
    inputs.add(DjlSegmentationModel.POINT_LABELS);
    if (Boolean.TRUE.equals(json.boolOrNull("decoder_mask_input"))) {
      inputs.add(DjlSegmentationModel.MASK_INPUT);
      inputs.add(DjlSegmentationModel.HAS_MASK_INPUT);
    }
    return inputs;
  }

  /** Loads a CLIP package onto {@code device}. The caller closes the model. */
  public static ClipModel loadClip(Path dir, DeviceChoice device) {
    return loadClip(dir, device, 0);
  }

  /**
   * Loads a CLIP package onto {@code device} with at most {@code cpuThreads} threads per call (0:
   * the runtime's default), as {@link #loadSegmenter(Path, DeviceChoice, int)}. The caller closes
   * the model.
   */
  public static ClipModel loadClip(Path dir, DeviceChoice device, int cpuThreads) {
    ClipSpec spec = readClipSpec(dir);
    PackageJson json = PackageJson.read(dir, CLIP_DESCRIPTOR);
    String engine = json.engine();
    Device d = device.toDevice(engine);
    Path tokenizerFile = json.file("tokenizer");
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              tokenizerFile, Map.of("addSpecialTokens", "true", "truncation", "false"));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read tokenizer " + tokenizerFile + ": " + e, e);
    }
    Model image = null;
    Model text = null;
    try {
      image = Engines.load(json.file("image_encoder"), engine, d, cpuThreads);
      text = Engines.load(json.file("text_encoder"), engine, d, cpuThreads);
      boolean attention =
          engine.equals("OnnxRuntime")
              ? Engines.inputNames(text).contains("attention_mask")
              : Boolean.TRUE.equals(json.boolOrNull("text_attention_mask"));
      return new DjlClipModel(
          spec, image, text, tokenizer, attention, json.intOr("pad_token_id", 0));
    } catch (RuntimeException e) {
      tokenizer.close();
      if (image != null) {
        image.close();
      }
      if (text != null) {
        text.close();
      }
      throw e;
    }
  }
}
