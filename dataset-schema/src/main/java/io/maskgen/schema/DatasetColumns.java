package io.maskgen.schema;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names and Spark SQL types of the two tables of a generated dataset, {@code masks} and {@code
 * images}. This is the contract users' SQL relies on: names and types never change within a major
 * version. The DDL strings are meant for {@code StructType.fromDDL}; every column is nullable at
 * the SQL level, and which ones are ever null is documented on {@link MaskRecord} and {@link
 * ImageRecord} (and in dataset-schema/README.md).
 */
public final class DatasetColumns {
  private DatasetColumns() {}

  /** Table with one row per mask. */
  public static final String MASKS_TABLE = "masks";

  /** Table with one row per input image, including the ones that failed. */
  public static final String IMAGES_TABLE = "images";

  // Shared by both tables.
  public static final String IMAGE_ID = "image_id";
  public static final String HEIGHT = "height";
  public static final String WIDTH = "width";
  public static final String GENERATOR = "generator";
  public static final String RUN_ID = "run_id";

  // masks
  public static final String MASK_ID = "mask_id";
  public static final String RLE = "rle";
  public static final String BBOX = "bbox";
  public static final String AREA = "area";
  public static final String PREDICTED_IOU = "predicted_iou";
  public static final String STABILITY_SCORE = "stability_score";
  public static final String POINT_COORDS = "point_coords";
  public static final String CROP_BOX = "crop_box";
  public static final String CLIP_EMBEDDING = "clip_embedding";

  // images
  public static final String SOURCE = "source";
  public static final String SHA256 = "sha256";
  public static final String STATUS = "status";
  public static final String ERROR = "error";
  public static final String MASK_COUNT = "mask_count";
  public static final String SECONDS = "seconds";
  public static final String INPUT_FILE = "input_file";
  public static final String INPUT_SIZE = "input_size";
  public static final String INPUT_MODIFIED = "input_modified";
  public static final String INPUT_ETAG = "input_etag";

  /**
   * The columns of {@code images} that record the input file as {@code generate} found it, which a
   * refresh compares with the file's listing to skip it without reading it. Datasets written before
   * them lack them (and refresh by content); their rows are null in rows not written by {@code
   * generate}.
   */
  public static final List<String> INPUT_COLUMNS =
      List.of(INPUT_FILE, INPUT_SIZE, INPUT_MODIFIED, INPUT_ETAG);

  /** Columns of {@code masks}, in order; the same order as {@link MaskRecord}'s components. */
  public static final List<String> MASKS_COLUMNS =
      List.of(
          IMAGE_ID,
          MASK_ID,
          HEIGHT,
          WIDTH,
          RLE,
          BBOX,
          AREA,
          PREDICTED_IOU,
          STABILITY_SCORE,
          POINT_COORDS,
          CROP_BOX,
          CLIP_EMBEDDING,
          GENERATOR,
          RUN_ID);

  /** Columns of {@code images}, in order; the same order as {@link ImageRecord}'s components. */
  public static final List<String> IMAGES_COLUMNS =
      List.of(
          IMAGE_ID,
          SOURCE,
          SHA256,
          WIDTH,
          HEIGHT,
          STATUS,
          ERROR,
          MASK_COUNT,
          GENERATOR,
          RUN_ID,
          SECONDS,
          INPUT_FILE,
          INPUT_SIZE,
          INPUT_MODIFIED,
          INPUT_ETAG);

  /** Spark SQL DDL of {@code masks}. */
  public static final String MASKS_DDL =
      "image_id STRING, mask_id INT, height INT, width INT, rle STRING, bbox ARRAY<DOUBLE>,"
          + " area BIGINT, predicted_iou FLOAT, stability_score FLOAT,"
          + " point_coords ARRAY<ARRAY<DOUBLE>>, crop_box ARRAY<INT>, clip_embedding ARRAY<FLOAT>,"
          + " generator STRING, run_id STRING";

  /** Spark SQL DDL of {@code images}. */
  public static final String IMAGES_DDL =
      "image_id STRING, source STRING, sha256 STRING, width INT, height INT, status STRING,"
          + " error STRING, mask_count INT, generator STRING, run_id STRING, seconds DOUBLE,"
          + " input_file STRING, input_size BIGINT, input_modified BIGINT, input_etag STRING";

  /**
   * One-line descriptions of the columns of {@code masks}, in column order (the same as {@link
   * #MASKS_COLUMNS}); SQL catalogs show them as column comments. dataset-schema/README.md has the
   * long form.
   */
  public static final Map<String, String> MASKS_COMMENTS =
      ordered(
          IMAGE_ID, "the image's id, joins images.image_id",
          MASK_ID, "index of the mask within its image, 0-based, unique per image",
          HEIGHT, "mask height in pixels = image height",
          WIDTH, "mask width in pixels = image width",
          RLE, "the mask as a compressed COCO RLE counts string (column-major)",
          BBOX, "[x, y, w, h] of the mask in pixels (w = max_x - min_x, as the reference AMG)",
          AREA, "foreground pixels",
          PREDICTED_IOU, "the model's estimate of the mask's IoU with the object (about 0..1)",
          STABILITY_SCORE, "IoU of the mask's logits thresholded at +offset and -offset, 0..1",
          POINT_COORDS, "prompt points [[x, y], ...] in pixels",
          CROP_BOX, "[x, y, w, h] of the crop the mask was generated in",
          CLIP_EMBEDDING, "unit-length CLIP image embedding of the mask's crop; null without CLIP",
          GENERATOR, "fingerprint of the model and the generator parameters",
          RUN_ID, "id of the job run that wrote the row");

  /**
   * One-line descriptions of the columns of {@code images}, in column order (the same as {@link
   * #IMAGES_COLUMNS}).
   */
  public static final Map<String, String> IMAGES_COMMENTS =
      ordered(
          IMAGE_ID, "path of the image relative to its input root, without extension",
          SOURCE, "where it was read from: the file's URI, or TAR_URI!MEMBER",
          SHA256, "lowercase hex SHA-256 of the file's bytes; null if unreadable",
          WIDTH, "pixels; null if the image failed before decoding",
          HEIGHT, "pixels; null if the image failed before decoding",
          STATUS, "ok or failed",
          ERROR, "for failed images, the reason, naming the file; null when ok",
          MASK_COUNT, "rows of this image in masks; 0 when failed",
          GENERATOR, "fingerprint of the model and the generator parameters",
          RUN_ID, "id of the job run that wrote the row",
          SECONDS, "wall time spent on this image in seconds",
          INPUT_FILE, "the file that was read: the image's URI, or its tar shard's URI",
          INPUT_SIZE, "input_file's length in bytes as listed before the run read it",
          INPUT_MODIFIED, "input_file's modification time as listed, ms since the epoch",
          INPUT_ETAG, "input_file's entity tag on object stores (S3 ETag); null elsewhere");

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
