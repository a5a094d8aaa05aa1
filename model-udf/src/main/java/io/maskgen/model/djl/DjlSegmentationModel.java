package io.maskgen.model.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.maskgen.image.PreparedImage;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A segmentation model package run by DJL: an encoder and a decoder model of one engine. Encoder
 * outputs stay in native memory (on the model's device) inside the {@link ImageEmbedding} and are
 * passed to the decoder as they are; only the decoder's logits and IoUs are copied to the heap.
 */
final class DjlSegmentationModel implements SegmentationModel {

  static final String POINT_COORDS = "point_coords";
  static final String POINT_LABELS = "point_labels";
  static final String MASK_INPUT = "mask_input";
  static final String HAS_MASK_INPUT = "has_mask_input";
  static final String ALL_ENCODER_OUTPUTS = "*";
  static final java.util.Set<String> PROMPT_INPUTS =
      java.util.Set.of(POINT_COORDS, POINT_LABELS, MASK_INPUT, HAS_MASK_INPUT);

  private final SegmenterSpec spec;
  private final Model encoder;
  private final Model decoder;
  private final Device device;
  /**
   * The decoder's inputs in order: prompt inputs by their contract names, encoder outputs by name
   * ({@link #ALL_ENCODER_OUTPUTS} stands for all of them in their order, for TorchScript).
   */
  private final List<String> decoderInputs;
  private final AtomicInteger openEmbeddings = new AtomicInteger();

  DjlSegmentationModel(
      SegmenterSpec spec, Model encoder, Model decoder, List<String> decoderInputs) {
    this.spec = spec;
    this.encoder = encoder;
    this.decoder = decoder;
    this.device = encoder.getNDManager().getDevice();
    this.decoderInputs = decoderInputs;
  }

  @Override
  public SegmenterSpec spec() {
    return spec;
  }

  /** Embeddings handed out and not yet closed (for leak checks). */
  int openEmbeddings() {
    return openEmbeddings.get();
  }

  @Override
  public boolean serialisesCalls() {
    return device.isGpu();
  }

  Device device() {
    return device;
  }

  @Override
  public ImageEmbedding encode(PreparedImage image) {
    int s = spec.imageSize();
    if (image.size() != s) {
      throw new IllegalArgumentException(
          "Prepared image is " + image.size() + "x" + image.size() + ", model " + spec.name()
              + " takes " + s + "x" + s);
    }
    NDManager manager = encoder.getNDManager().newSubManager();
    try {
      NDArray x = manager.create(image.chw(), new Shape(1, 3, s, s));
      x.setName("image");
      NDList out = Engines.forward(encoder, manager, new NDList(x));
      x.close();
      openEmbeddings.incrementAndGet();
      return new Embedding(manager, out);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public DecodedMasks decode(ImageEmbedding embedding, PointPrompts prompts) {
    Embedding emb = (Embedding) embedding;
    prompts = padded(prompts);
    int b = prompts.batch();
    int n = prompts.points();
    try (NDManager m = emb.manager.newSubManager()) {
      NDList inputs = new NDList(decoderInputs.size());
      int encoderPosition = 0;
      for (String name : decoderInputs) {
        if (name.equals(ALL_ENCODER_OUTPUTS)) {
          inputs.addAll(emb.outputs);
          continue;
        }
        NDArray a =
            switch (name) {
              case POINT_COORDS -> m.create(prompts.coords(), new Shape(b, n, 2));
              case POINT_LABELS -> m.create(prompts.labels(), new Shape(b, n));
              case MASK_INPUT -> maskInput(m, prompts);
              case HAS_MASK_INPUT -> hasMaskInput(m, prompts);
              default -> emb.output(name, encoderPosition++);
            };
        if (a.getName() == null) {
          a.setName(name);
        }
        inputs.add(a);
      }
      NDList out = Engines.forward(decoder, m, inputs);
      NDArray masks = Engines.output(out, "masks", 0);
      NDArray iou = Engines.output(out, "iou_predictions", 1);
      Shape shape = masks.getShape();
      if (shape.dimension() != 4 || shape.get(0) != b) {
        throw new IllegalStateException(
            "decoder of " + spec.name() + " returned masks of shape " + shape + ", expected ["
                + b + ", M, L, L]");
      }
      return new DecodedMasks(
          b,
          (int) shape.get(1),
          (int) shape.get(2),
          (int) shape.get(3),
          masks.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(),
          iou.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
    }
  }

  /**
   * The prompts as the decoder takes them. A decoder that leaves padding to the runtime ({@link
   * SegmenterSpec#acceptsBoxes}) gets SAM's padding point appended to prompts without a box, as
   * SAM's prompt encoder does; one that pads itself gets the prompts as they are and no boxes.
   */
  private PointPrompts padded(PointPrompts prompts) {
    int withBox = 0;
    for (int b = 0; b < prompts.batch(); b++) {
      withBox += prompts.hasBox(b) ? 1 : 0;
    }
    if (withBox > 0 && !spec.acceptsBoxes()) {
      throw new IllegalArgumentException(
          "Model "
              + spec.name()
              + " cannot take box prompts: its decoder appends a padding point to every prompt"
              + " (model.json lacks \"decoder_pads_points\": false); export it again with"
              + " model-udf/models/export/export_sam.py");
    }
    if (!spec.acceptsBoxes() || withBox == prompts.batch()) {
      return prompts;
    }
    if (withBox > 0) {
      throw new IllegalArgumentException(
          "A prompt batch mixes prompts with and without a box (" + withBox + " of "
              + prompts.batch() + " have one); decode them in separate batches");
    }
    return prompts.withPaddingPoint();
  }

  private static NDArray maskInput(NDManager m, PointPrompts prompts) {
    int b = prompts.batch();
    float[] mask = prompts.maskInput();
    if (mask == null) {
      return m.zeros(new Shape(b, 1, 256, 256));
    }
    int side = (int) Math.round(Math.sqrt(mask.length / (double) b));
    return m.create(mask, new Shape(b, 1, side, side));
  }

  private static NDArray hasMaskInput(NDManager m, PointPrompts prompts) {
    float[] has = new float[prompts.batch()];
    if (prompts.maskInput() != null) {
      java.util.Arrays.fill(has, 1f);
    }
    return m.create(has, new Shape(prompts.batch()));
  }

  @Override
  public void close() {
    try {
      encoder.close();
    } finally {
      decoder.close();
    }
  }

  /** Encoder outputs held in native memory until closed. */
  private final class Embedding implements ImageEmbedding {
    private final NDManager manager;
    private final NDList outputs;
    private boolean closed;

    Embedding(NDManager manager, NDList outputs) {
      this.manager = manager;
      this.outputs = outputs;
    }

    /** The encoder output called {@code name}, else the one at {@code position}. */
    NDArray output(String name, int position) {
      for (NDArray a : outputs) {
        if (name.equals(a.getName())) {
          return a;
        }
      }
      if (position >= outputs.size()) {
        throw new IllegalStateException(
            "decoder input '" + name + "' matches none of the encoder's " + outputs.size()
                + " outputs");
      }
      return outputs.get(position);
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        outputs.close();
        manager.close();
        openEmbeddings.decrementAndGet();
      }
    }
  }
}
