package io.maskgen.model.djl;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.maskgen.model.ClipModel;
import io.maskgen.model.ClipSpec;

/** A CLIP package run by DJL: image and text encoders of one engine and a HuggingFace tokenizer. */
final class DjlClipModel implements ClipModel {

  private final ClipSpec spec;
  private final Model imageEncoder;
  private final Model textEncoder;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean attentionMask;
  private final long padId;

  DjlClipModel(
      ClipSpec spec,
      Model imageEncoder,
      Model textEncoder,
      HuggingFaceTokenizer tokenizer,
      boolean attentionMask,
      long padId) {
    this.spec = spec;
    this.imageEncoder = imageEncoder;
    this.textEncoder = textEncoder;
    this.tokenizer = tokenizer;
    this.attentionMask = attentionMask;
    this.padId = padId;
  }

  @Override
  public ClipSpec spec() {
    return spec;
  }

  @Override
  public float[][] embedImages(float[] pixelValues, int batch) {
    int s = spec.imageSize();
    if (pixelValues.length != batch * 3 * s * s) {
      throw new IllegalArgumentException(
          "CLIP input has " + pixelValues.length + " floats, expected " + batch + "x3x" + s + "x" + s);
    }
    try (NDManager m = imageEncoder.getNDManager().newSubManager()) {
      NDArray x = m.create(pixelValues, new Shape(batch, 3, s, s));
      x.setName("pixel_values");
      NDList out = Engines.forward(imageEncoder, m, new NDList(x));
      return unitRows(out.get(0), batch);
    }
  }

  @Override
  public float[] embedText(String text) {
    int ctx = spec.contextLength();
    Encoding enc = tokenizer.encode(text);
    long[] ids = new long[ctx];
    long[] mask = new long[ctx];
    java.util.Arrays.fill(ids, padId);
    long[] tokens = enc.getIds();
    long[] tokenMask = enc.getAttentionMask();
    int n = Math.min(ctx, tokens.length);
    for (int i = 0; i < n; i++) {
      ids[i] = tokens[i];
      mask[i] = tokenMask.length > i ? tokenMask[i] : 1;
    }
    try (NDManager m = textEncoder.getNDManager().newSubManager()) {
      NDArray idArray = m.create(ids, new Shape(1, ctx));
      idArray.setName("input_ids");
      NDList in = new NDList(idArray);
      if (attentionMask) {
        NDArray maskArray = m.create(mask, new Shape(1, ctx));
        maskArray.setName("attention_mask");
        in.add(maskArray);
      }
      NDList out = Engines.forward(textEncoder, m, in);
      return unitRows(out.get(0), 1)[0];
    }
  }

  private static float[][] unitRows(NDArray embeddings, int batch) {
    Shape shape = embeddings.getShape();
    if (shape.dimension() != 2 || shape.get(0) != batch) {
      throw new IllegalStateException(
          "CLIP encoder returned shape " + shape + ", expected [" + batch + ", D]");
    }
    int d = (int) shape.get(1);
    float[] flat = embeddings.toType(DataType.FLOAT32, false).toFloatArray();
    float[][] rows = new float[batch][d];
    for (int b = 0; b < batch; b++) {
      double norm = 0;
      for (int k = 0; k < d; k++) {
        float v = flat[b * d + k];
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      for (int k = 0; k < d; k++) {
        // A zero embedding (nothing recognisable) stays zero but must still be unit length for
        // the dataset: fall back to the first axis.
        rows[b][k] = norm > 0 ? (float) (flat[b * d + k] / norm) : (k == 0 ? 1f : 0f);
      }
    }
    return rows;
  }

  @Override
  public void close() {
    try {
      tokenizer.close();
    } finally {
      try {
        imageEncoder.close();
      } finally {
        textEncoder.close();
      }
    }
  }
}
