package io.maskgen.spark;

import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark schemas of the dataset's tables, built from the DDL of {@link DatasetColumns}, and the
 * conversions between the records of dataset-schema and Spark rows.
 */
public final class SparkSchemas {

  private static final StructType MASKS = StructType.fromDDL(DatasetColumns.MASKS_DDL);
  private static final StructType IMAGES = StructType.fromDDL(DatasetColumns.IMAGES_DDL);

  /** Column holding an image's masks in the generation job's intermediate rows. */
  public static final String MASKS_COLUMN = "_masks";

  private static final StructType IMAGES_WITH_MASKS =
      IMAGES.add(MASKS_COLUMN, DataTypes.createArrayType(MASKS, false), false);

  private SparkSchemas() {}

  /** {@code masks}: one row per mask. */
  public static StructType masks() {
    return MASKS;
  }

  /** {@code images}: one row per input image. */
  public static StructType images() {
    return IMAGES;
  }

  /** {@code images} plus an array of the image's mask rows, used inside the generation job. */
  public static StructType imagesWithMasks() {
    return IMAGES_WITH_MASKS;
  }

  public static Row maskRow(MaskRecord m) {
    return RowFactory.create(
        m.imageId(),
        m.maskId(),
        m.height(),
        m.width(),
        m.rle(),
        boxed(m.bbox()),
        m.area(),
        m.predictedIou(),
        m.stabilityScore(),
        points(m.pointCoords()),
        boxed(m.cropBox()),
        m.clipEmbedding() == null ? null : boxed(m.clipEmbedding()),
        m.generator(),
        m.runId());
  }

  public static Row imageRow(ImageRecord i) {
    return RowFactory.create(imageValues(i));
  }

  /** An image row followed by its mask rows. */
  public static Row imageWithMasksRow(ImageRecord i, List<MaskRecord> masks) {
    Object[] base = imageValues(i);
    Object[] values = java.util.Arrays.copyOf(base, base.length + 1);
    List<Row> rows = new ArrayList<>(masks.size());
    for (MaskRecord m : masks) {
      rows.add(maskRow(m));
    }
    values[base.length] = scala.jdk.javaapi.CollectionConverters.asScala(rows).toSeq();
    return RowFactory.create(values);
  }

  private static Object[] imageValues(ImageRecord i) {
    return new Object[] {
      i.imageId(),
      i.source(),
      i.sha256(),
      i.width(),
      i.height(),
      i.status(),
      i.error(),
      i.maskCount(),
      i.generator(),
      i.runId(),
      i.seconds(),
      i.inputFile(),
      i.inputSize(),
      i.inputModified(),
      i.inputEtag()
    };
  }

  private static Object boxed(double[] v) {
    Double[] out = new Double[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = v[k];
    }
    return seq(out);
  }

  private static Object boxed(int[] v) {
    Integer[] out = new Integer[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = v[k];
    }
    return seq(out);
  }

  private static Object boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = v[k];
    }
    return seq(out);
  }

  private static Object points(double[][] pts) {
    Object[] out = new Object[pts.length];
    for (int k = 0; k < pts.length; k++) {
      out[k] = boxed(pts[k]);
    }
    return seq(out);
  }

  private static Object seq(Object[] values) {
    return scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(values)).toSeq();
  }
}
