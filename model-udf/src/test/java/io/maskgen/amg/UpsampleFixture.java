package io.maskgen.amg;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The cases of {@code upsample_cases.json}: logits from a shared formula, PyTorch's outputs. */
record UpsampleFixture(
    String name,
    int lowSize,
    int inputSize,
    int inputHeight,
    int inputWidth,
    int outHeight,
    int outWidth,
    int channels,
    float[] logits,
    float[][] expected) {

  static List<UpsampleFixture> load() {
    ByteBuffer f32 =
        ByteBuffer.wrap(Fixtures.bytes("upsample_expected.f32")).order(ByteOrder.LITTLE_ENDIAN);
    List<UpsampleFixture> out = new ArrayList<>();
    for (JsonNode c : Fixtures.json("upsample_cases.json")) {
      int l = c.get("lowSize").intValue();
      int oh = c.get("outHeight").intValue();
      int ow = c.get("outWidth").intValue();
      int stored = c.get("storedChannels").intValue();
      float[][] expected = new float[stored][oh * ow];
      int base = c.get("offsetFloats").intValue();
      for (int ch = 0; ch < stored; ch++) {
        for (int i = 0; i < oh * ow; i++) {
          expected[ch][i] = f32.getFloat(4 * (base + ch * oh * ow + i));
        }
      }
      out.add(
          new UpsampleFixture(
              c.get("name").textValue(),
              l,
              c.get("inputSize").intValue(),
              c.get("inputHeight").intValue(),
              c.get("inputWidth").intValue(),
              oh,
              ow,
              c.get("channels").intValue(),
              logits(
                  c.get("kind").textValue(),
                  c.get("seed").intValue(),
                  c.get("channels").intValue(),
                  l),
              expected));
    }
    return out;
  }

  MaskUpsampler upsampler() {
    return MaskUpsampler.create(
        lowSize, lowSize, inputSize, inputHeight, inputWidth, outHeight, outWidth);
  }

  /** The same formula as {@code generate_fixtures.py logits()}, bit for bit. */
  static float[] logits(String kind, int seed, int channels, int size) {
    float[] out = new float[channels * size * size];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < size; i++) {
        for (int j = 0; j < size; j++) {
          double v;
          if (kind.equals("noise")) {
            long x =
                ((long) ((c * size + i) * size + j) * 2654435761L + seed * 40503L) & 0xFFFFFFFFL;
            long k = (x >> 8) % 40001 - 20000;
            v = k / 1000.0;
          } else {
            double cy = size * (0.3 + 0.2 * c);
            double cx = size * (0.6 - 0.1 * c);
            v = 8.0 - 40.0 * Math.sqrt((i - cy) * (i - cy) + (j - cx) * (j - cx)) / size;
          }
          out[(c * size + i) * size + j] = (float) v;
        }
      }
    }
    return out;
  }
}
