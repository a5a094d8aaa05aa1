package io.maskgen.job;

import io.maskgen.schema.sa1b.Sa1bAnnotation;
import io.maskgen.schema.sa1b.Sa1bFile;
import io.maskgen.schema.sa1b.Sa1bImage;
import io.maskgen.schema.sa1b.Sa1bJson;
import io.maskgen.schema.sa1b.Sa1bSegmentation;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The task of the export: for each row (an ok image with its masks) writes {@code
 * OUT/<image_id>.json}, replacing a file a failed attempt of the task may have left. Yields one
 * list per task: the images it could not export, with the reason.
 */
final class Sa1bExportFunction implements FlatMapFunction<Iterator<Row>, List<String>> {

  /** Column of the joined rows holding the image's masks (null when it has none). */
  static final String MASKS = "_masks";

  private static final Pattern NUMBERED = Pattern.compile("(?:sa_)?(\\d{1,18})");

  private final String outRoot;
  private final SerializableHadoopConf conf;
  private final JobMetrics metrics;

  Sa1bExportFunction(String outRoot, SerializableHadoopConf conf, JobMetrics metrics) {
    this.outRoot = outRoot;
    this.conf = conf;
    this.metrics = metrics;
  }

  @Override
  public Iterator<List<String>> call(Iterator<Row> rows) throws IOException {
    List<String> problems = new ArrayList<>();
    Path root = new Path(outRoot);
    FileSystem fs = root.getFileSystem(conf.get());
    if (fs instanceof LocalFileSystem local) {
      fs = local.getRaw(); // no .crc side files next to the JSON
    }
    while (rows.hasNext()) {
      Row row = rows.next();
      String imageId = row.getString(0);
      try {
        export(row, imageId, root, fs, problems);
      } catch (RuntimeException e) {
        throw new ItemFailure(
            "export of image_id '" + imageId + "' (" + row.getString(3) + ")", e);
      }
    }
    metrics.shards.add(1);
    return List.<List<String>>of(problems).iterator();
  }

  private void export(Row row, String imageId, Path root, FileSystem fs, List<String> problems) {
    String unsafe = unsafeReason(imageId);
    if (unsafe != null) {
      problems.add(imageId + ": " + unsafe);
      return;
    }
    Sa1bFile file;
    try {
      file = toFile(row);
    } catch (IllegalArgumentException e) {
      problems.add(imageId + ": " + e.getMessage());
      return;
    }
    try (OutputStream out = fs.create(fileFor(root, imageId), true)) {
      Sa1bJson.write(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the SA-1B JSON of " + imageId, e);
    }
    metrics.imagesOk.add(1);
    metrics.masks.add(file.annotations().size());
    JobMetrics.LIVE_IMAGES.incrementAndGet();
    JobMetrics.LIVE_MASKS.addAndGet(file.annotations().size());
  }

  /**
   * The SA-1B file of a joined row: image_id, width, height, source, masks (sorted by id; null or
   * empty for an image without masks).
   */
  static Sa1bFile toFile(Row row) {
    String imageId = row.getString(0);
    int width = row.getInt(1);
    int height = row.getInt(2);
    Sa1bImage image = new Sa1bImage(numericId(imageId), width, height, fileName(row.getString(3)));
    // An image without masks has a null array (outer join); it exports with no annotations.
    List<Row> masks = new ArrayList<>();
    if (!row.isNullAt(4)) {
      masks.addAll(row.<Row>getList(4));
    }
    masks.sort(Comparator.comparingInt(m -> m.getInt(0)));
    List<Sa1bAnnotation> annotations = new ArrayList<>(masks.size());
    for (Row m : masks) {
      int mh = m.getInt(1);
      int mw = m.getInt(2);
      if (mh != height || mw != width) {
        throw new IllegalArgumentException(
            String.format(
                "mask %d is %dx%d (height x width) but the image is %dx%d",
                m.getInt(0), mh, mw, height, width));
      }
      List<Integer> crop = m.getList(9);
      annotations.add(
          new Sa1bAnnotation(
              m.getInt(0),
              new Sa1bSegmentation(mh, mw, m.getString(3)),
              doubles(m.getList(4)),
              m.getLong(5),
              m.getFloat(6),
              m.getFloat(7),
              new double[] {crop.get(0), crop.get(1), crop.get(2), crop.get(3)},
              points(m.getList(8))));
    }
    return new Sa1bFile(image, annotations);
  }

  /**
   * The numeric {@code image.image_id} of SA-1B: the number of a name like {@code sa_123} or
   * {@code 123} (last path segment); otherwise the first 52 bits of the SHA-256 of the {@code
   * image_id}, so it is stable and exact in any JSON reader.
   */
  static long numericId(String imageId) {
    Matcher m = NUMBERED.matcher(imageId.substring(imageId.lastIndexOf('/') + 1));
    if (m.matches()) {
      return Long.parseLong(m.group(1));
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(imageId.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (d[i] & 0xFF);
      }
      return v >>> 12;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The file name of an {@code images.source}: its last path segment (of the member, in a tar). */
  static String fileName(String source) {
    String s = source.substring(source.lastIndexOf('!') + 1);
    return s.substring(s.lastIndexOf('/') + 1);
  }

  /**
   * Why an {@code image_id} cannot name a file under the output folder, or null: it must be a
   * relative path without empty, {@code .} or {@code ..} segments.
   */
  static String unsafeReason(String imageId) {
    if (imageId.isEmpty()) {
      return "an empty image_id cannot name a file";
    }
    for (String segment : imageId.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "image_id is not a relative path without empty, '.' or '..' parts, so it"
            + " cannot name a file under the output folder";
      }
    }
    return null;
  }

  /** {@code ROOT/<image_id>.json}; the {@code ./} keeps a colon in the id from reading as a scheme. */
  static Path fileFor(Path root, String imageId) {
    return new Path(root, "./" + imageId + ".json");
  }

  private static double[] doubles(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static double[][] points(List<Object> values) {
    double[][] out = new double[values.size()][];
    for (int i = 0; i < out.length; i++) {
      Object p = values.get(i);
      @SuppressWarnings("unchecked")
      List<Double> xy =
          p instanceof scala.collection.Seq<?> seq
              ? (List<Double>) scala.jdk.javaapi.CollectionConverters.asJava(seq)
              : (List<Double>) p;
      out[i] = doubles(xy);
    }
    return out;
  }
}
