package io.maskgen.spark;

import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.synth.SyntheticScenes;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Mask rows from synthetic scenes' ground truth, written as a real Parquet {@code masks} table: one
 * mask per scene object, with random unit CLIP embeddings (the last mask of each image has none).
 */
final class SceneDataset {

  static final int WIDTH = 64;
  static final int HEIGHT = 48;
  static final int EMBEDDING_DIM = 16;

  final List<SyntheticScenes.Scene> scenes = new ArrayList<>();
  final List<MaskRecord> masks = new ArrayList<>();

  SceneDataset(int sceneCount) {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int s = 0; s < sceneCount; s++) {
      SyntheticScenes.Scene scene = SyntheticScenes.generate(s, WIDTH, HEIGHT);
      scenes.add(scene);
      List<GroundTruth> objects = scene.objects();
      for (int i = 0; i < objects.size(); i++) {
        Rle rle = Rle.encodeRowMajor(objects.get(i).mask(), HEIGHT, WIDTH);
        double[] box = rle.bboxXywh();
        double[][] point = {{box[0] + box[2] / 2, box[1] + box[3] / 2}};
        float[] embedding = i == objects.size() - 1 ? null : unitVector(rnd);
        masks.add(
            MaskRecord.of(
                imageId(s),
                i,
                rle,
                (float) (0.88 + 0.1 * rnd.nextDouble()),
                (float) (0.92 + 0.08 * rnd.nextDouble()),
                point,
                new int[] {0, 0, WIDTH, HEIGHT},
                embedding,
                "test-generator",
                "run-1"));
      }
    }
  }

  static String imageId(int scene) {
    return "scene_" + scene;
  }

  /** Writes the rows as Parquet under {@code dir} and returns that path. */
  Path writeMasks(SparkSession spark, Path dir) {
    List<Row> rows = new ArrayList<>();
    for (MaskRecord m : masks) {
      rows.add(SparkSchemas.maskRow(m));
    }
    spark.createDataFrame(rows, SparkSchemas.masks()).write().parquet(dir.toString());
    return dir;
  }

  MaskRecord mask(String imageId, int maskId) {
    for (MaskRecord m : masks) {
      if (m.imageId().equals(imageId) && m.maskId() == maskId) {
        return m;
      }
    }
    throw new IllegalArgumentException(imageId + "/" + maskId);
  }

  private static float[] unitVector(SplittableRandom rnd) {
    float[] v = new float[EMBEDDING_DIM];
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
      norm += (double) v[i] * v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return v;
  }
}
