package io.maskgen.job.cli;

import io.maskgen.clip.MaskCrops;
import io.maskgen.image.RgbImage;
import io.maskgen.model.ClipModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.ExecutorPipelines;
import io.maskgen.spark.SparkSchemas;
import io.maskgen.synth.SyntheticScenes;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A dataset of synthetic scenes written as the generation job writes one, with the ground-truth
 * objects as masks and their real CLIP embeddings: each mask's crop ({@link MaskCrops}, gray
 * background, as {@code generate} does) embedded by the shipped {@code tiny-clip}, whose run report
 * names {@code "clip": "tiny-clip"}. With {@code clip = false} the masks have no embedding and the
 * run report says {@code "clip": null}, as after {@code generate --clip none}.
 */
final class SearchDataset {

  static final int W = 160;
  static final int H = 120;
  static final String CLIP = "tiny-clip";
  static final String RUN = "run-s";
  static final String GENERATOR = "tiny-sam+tiny-clip:search";

  final Path root;
  final Map<String, SyntheticScenes.Scene> scenes = new LinkedHashMap<>();
  final Map<String, List<MaskRecord>> masksByImage = new LinkedHashMap<>();

  SearchDataset(SparkSession spark, Path root, int sceneCount, boolean clip) throws IOException {
    this.root = root;
    Path input = Files.createDirectories(root.resolve("input"));
    ClipModel model = clip ? ExecutorPipelines.clip(CLIP, DeviceChoice.CPU) : null;
    MaskCrops crops = clip ? MaskCrops.of(model.spec(), MaskCrops.Background.GRAY) : null;
    List<Row> imageRows = new ArrayList<>();
    List<Row> maskRows = new ArrayList<>();
    for (int s = 0; s < sceneCount; s++) {
      String id = "scene_" + s;
      SyntheticScenes.Scene scene = SyntheticScenes.generate(s, W, H);
      Path file = input.resolve(id + ".png");
      byte[] png = TestDataset.png(scene.image());
      Files.write(file, png);
      List<GroundTruth> objects = scene.objects();
      float[][] embeddings = new float[objects.size()][];
      if (clip) {
        float[] batch = new float[objects.size() * crops.floatsPerCrop()];
        for (int i = 0; i < objects.size(); i++) {
          crops.write(scene.image(), objects.get(i).mask(), batch, i * crops.floatsPerCrop());
        }
        embeddings = model.embedImages(batch, objects.size());
      }
      List<MaskRecord> masks = new ArrayList<>();
      for (int i = 0; i < objects.size(); i++) {
        Rle rle = Rle.encodeRowMajor(objects.get(i).mask(), H, W);
        double[] box = rle.bboxXywh();
        masks.add(
            MaskRecord.of(
                id,
                i,
                rle,
                0.95f,
                0.97f,
                new double[][] {{box[0] + box[2] / 2, box[1] + box[3] / 2}},
                new int[] {0, 0, W, H},
                embeddings[i],
                GENERATOR,
                RUN));
      }
      scenes.put(id, scene);
      masksByImage.put(id, masks);
      masks.forEach(m -> maskRows.add(SparkSchemas.maskRow(m)));
      imageRows.add(
          SparkSchemas.imageRow(
              ImageRecord.ok(
                  id,
                  file.toUri().toString(),
                  TestDataset.sha256(png),
                  W,
                  H,
                  masks.size(),
                  GENERATOR,
                  RUN,
                  0.1)));
    }
    spark
        .createDataFrame(imageRows, SparkSchemas.images())
        .write()
        .parquet(root.resolve("images").toString());
    spark
        .createDataFrame(maskRows, SparkSchemas.masks())
        .repartition(3)
        .write()
        .parquet(root.resolve("masks").toString());
    Files.createDirectories(root.resolve("_runs"));
    Files.writeString(
        root.resolve("_runs/" + RUN + ".json"),
        "{\"run_id\": \""
            + RUN
            + "\", \"started\": \"2025-11-25T10:00:00Z\", \"clip\": "
            + (clip ? "\"" + CLIP + "\"" : "null")
            + ", \"images\": "
            + sceneCount
            + ", \"generator\": \""
            + GENERATOR
            + "\"}");
  }

  /** The ground-truth object behind a mask. */
  GroundTruth object(String imageId, int maskId) {
    return scenes.get(imageId).objects().get(maskId);
  }

  RgbImage picture(String imageId) {
    return scenes.get(imageId).image();
  }
}
