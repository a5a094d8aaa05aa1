package io.maskgen.job.cli;

import io.maskgen.image.ImageDecoder;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.job.table.DeltaTables;
import io.maskgen.job.table.Snapshot;
import io.maskgen.image.RgbImage;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.rle.Rle;
import io.maskgen.spark.SparkSchemas;
import io.maskgen.synth.SyntheticScenes;
import io.maskgen.synth.SyntheticScenes.GroundTruth;
import io.maskgen.synth.WriteExamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A small dataset written the way the generation job writes one (Delta tables {@code images/} and
 * {@code masks/} from the records, a published snapshot, {@code _runs/*.json}), with ground truth
 * at hand:
 *
 * <ul>
 *   <li>{@code scene_0}, {@code scene_1}: synthetic scenes as PNG files, one mask per object;
 *   <li>{@code shard/scene_2}: a synthetic scene inside a tar shard;
 *   <li>{@code photos/dog}: the real photo from the shared test data with two synthetic masks, a
 *       rectangle and a smaller ellipse inside it;
 *   <li>three failed images (two truncated JPEGs, one not an image), from a second run that has no
 *       run file.
 * </ul>
 */
final class TestDataset {

  static final int W = 160;
  static final int H = 120;
  static final String RUN_1 = "run-1";
  static final String RUN_2 = "run-2";
  static final String GENERATOR = "tiny-sam+tiny-clip:0123456789ab";
  static final int EMBEDDING_DIM = 8;

  final Path root;
  final Map<String, RgbImage> pictures = new LinkedHashMap<>();
  final Map<String, List<MaskRecord>> masksByImage = new LinkedHashMap<>();
  final List<ImageRecord> images = new ArrayList<>();

  TestDataset(SparkSession spark, Path root, Path shared) throws IOException {
    this.root = root;
    Path input = Files.createDirectories(root.resolve("input"));
    SplittableRandom rnd = new SplittableRandom(11);

    for (int s = 0; s < 2; s++) {
      SyntheticScenes.Scene scene = SyntheticScenes.generate(s, W, H);
      Path file = input.resolve("scene_" + s + ".png");
      byte[] png = png(scene.image());
      Files.write(file, png);
      addScene("scene_" + s, file.toUri().toString(), png, scene, rnd);
    }

    SyntheticScenes.Scene tarred = SyntheticScenes.generate(2, W, H);
    byte[] tarredPng = png(tarred.image());
    Path tar = input.resolve("shard.tar");
    try (OutputStream os = Files.newOutputStream(tar);
        TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
      byte[] side = "{}".getBytes(StandardCharsets.UTF_8);
      for (Object[] member :
          new Object[][] {{"shard/scene_2.json", side}, {"shard/scene_2.png", tarredPng}}) {
        TarArchiveEntry e = new TarArchiveEntry((String) member[0]);
        e.setSize(((byte[]) member[1]).length);
        out.putArchiveEntry(e);
        out.write((byte[]) member[1]);
        out.closeArchiveEntry();
      }
    }
    addScene("shard/scene_2", tar.toUri() + "!shard/scene_2.png", tarredPng, tarred, rnd);

    Path dog = shared.resolve("testdata/photos/dog.jpg").toAbsolutePath();
    byte[] dogBytes = Files.readAllBytes(dog);
    RgbImage photo;
    try {
      photo = new ImageDecoder().decode(dogBytes, dog.toString());
    } catch (io.maskgen.image.ImageDecodeException e) {
      throw new IOException(e);
    }
    int pw = photo.width();
    int ph = photo.height();
    byte[] rect = new byte[pw * ph];
    byte[] ellipse = new byte[pw * ph];
    for (int y = 0; y < ph; y++) {
      for (int x = 0; x < pw; x++) {
        if (x >= pw / 8 && x < pw * 7 / 8 && y >= ph / 6 && y < ph * 5 / 6) {
          rect[y * pw + x] = 1;
        }
        double u = (x + 0.5 - pw / 2.0) / (pw / 6.0);
        double v = (y + 0.5 - ph / 2.0) / (ph / 6.0);
        if (u * u + v * v <= 1) {
          ellipse[y * pw + x] = 1;
        }
      }
    }
    List<MaskRecord> dogMasks =
        List.of(
            mask("photos/dog", 0, Rle.encodeRowMajor(ellipse, ph, pw), rnd),
            mask("photos/dog", 1, Rle.encodeRowMajor(rect, ph, pw), rnd));
    pictures.put("photos/dog", photo);
    masksByImage.put("photos/dog", dogMasks);
    images.add(
        ImageRecord.ok(
            "photos/dog",
            dog.toUri().toString(),
            sha256(dogBytes),
            pw,
            ph,
            2,
            GENERATOR,
            RUN_1,
            1.5));

    images.add(failed("bad/a", "a.jpg: truncated JPEG (no end-of-image marker)"));
    images.add(failed("bad/b", "b.jpg: truncated JPEG (premature end of scan data)"));
    images.add(failed("bad/c", "c.gif: not an image (unknown signature 47 49)"));

    List<Row> imageRows = new ArrayList<>();
    images.forEach(i -> imageRows.add(SparkSchemas.imageRow(i)));
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root.toUri());
    DatasetStore store = new DatasetStore(dir, spark.sparkContext().hadoopConfiguration());
    long imagesVersion =
        DeltaTables.append(
            spark,
            store.table("images"),
            spark.createDataFrame(imageRows, SparkSchemas.images()));
    List<Row> maskRows = new ArrayList<>();
    masksByImage.values().forEach(ms -> ms.forEach(m -> maskRows.add(SparkSchemas.maskRow(m))));
    long masksVersion =
        DeltaTables.append(
            spark,
            store.table("masks"),
            spark.createDataFrame(maskRows, SparkSchemas.masks()).repartition(2));
    store.publish(
        new Snapshot(
            1,
            RUN_2,
            "2025-11-25T10:05:00Z",
            imagesVersion,
            masksVersion,
            List.of(
                new Snapshot.Generator(
                    GENERATOR, "tiny-sam", "tiny-clip", Map.of(), RUN_1, RUN_2))));

    Files.createDirectories(root.resolve("_runs"));
    Files.writeString(
        root.resolve("_runs/" + RUN_1 + ".json"),
        "{\"run_id\": \""
            + RUN_1
            + "\", \"started\": \"2025-11-25T10:00:00Z\", \"images\": 4,"
            + " \"masks\": "
            + maskCount()
            + ", \"generator\": \""
            + GENERATOR
            + "\"}");
  }

  List<MaskRecord> allMasks() {
    List<MaskRecord> all = new ArrayList<>();
    masksByImage.values().forEach(all::addAll);
    return all;
  }

  int maskCount() {
    return allMasks().size();
  }

  private void addScene(
      String id, String source, byte[] file, SyntheticScenes.Scene scene, SplittableRandom rnd) {
    List<MaskRecord> masks = new ArrayList<>();
    List<GroundTruth> objects = scene.objects();
    for (int i = 0; i < objects.size(); i++) {
      masks.add(mask(id, i, Rle.encodeRowMajor(objects.get(i).mask(), H, W), rnd));
    }
    pictures.put(id, scene.image());
    masksByImage.put(id, masks);
    images.add(
        ImageRecord.ok(id, source, sha256(file), W, H, masks.size(), GENERATOR, RUN_1, 0.25));
  }

  private static MaskRecord mask(String imageId, int maskId, Rle rle, SplittableRandom rnd) {
    double[] box = rle.bboxXywh();
    float[] e = new float[EMBEDDING_DIM];
    double norm = 0;
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) (rnd.nextDouble() - 0.5);
      norm += (double) e[i] * e[i];
    }
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) (e[i] / Math.sqrt(norm));
    }
    return MaskRecord.of(
        imageId,
        maskId,
        rle,
        (float) (0.88 + 0.12 * rnd.nextDouble()),
        (float) (0.95 + 0.05 * rnd.nextDouble()),
        new double[][] {{box[0] + box[2] / 2, box[1] + box[3] / 2}},
        new int[] {0, 0, rle.width(), rle.height()},
        e,
        GENERATOR,
        RUN_1);
  }

  private static ImageRecord failed(String id, String error) {
    return ImageRecord.failed(
        id, "file:/data/in/" + id + ".jpg", null, null, null, error, GENERATOR, RUN_2, 0.01);
  }

  static byte[] png(RgbImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(WriteExamples.toBufferedImage(image), "png", out);
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
