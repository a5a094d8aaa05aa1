package io.maskgen.schema;

import java.util.List;

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
}
