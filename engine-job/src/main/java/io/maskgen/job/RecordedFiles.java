package io.maskgen.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.maskgen.job.table.DatasetStore;
import io.maskgen.schema.DatasetColumns;
import io.maskgen.schema.ImageRecord;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The input files that one generator's {@code images} rows were read from, one entry per file and
 * recorded state: what a refresh compares with the listing of its inputs. It is derived from the
 * {@code images} table (one aggregation of its {@code input_*} columns) and kept beside the
 * snapshot it was derived from, {@code _maskgen/files/<snapshot>-<generator hash>.json.gz}, so
 * that a refresh that finds nothing new reads one small file instead of the table. A missing or
 * unreadable file, or one of another snapshot, is derived again from the table.
 */
final class RecordedFiles {

  private static final String DIR = "files";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A file as the dataset recorded it, with the rows recorded at that state.
   *
   * @param file the input file: an image file's URI, or a tar shard's
   * @param size recorded size, null when not recorded (rows written before it was)
   * @param modified recorded modification time in ms, or null
   * @param etag recorded entity tag, or null
   * @param images rows recorded with this file and state
   * @param failed of those, the failed ones
   * @param imageId the smallest image id among them (a loose file's own)
   */
  record Entry(
      String file, Long size, Long modified, String etag, long images, long failed,
      String imageId) {}

  private RecordedFiles() {}

  /**
   * The entries of {@code rows} (the {@code images} rows of one generator, keyed as {@link
   * RefreshPlan} keys them): one Spark aggregation.
   */
  static List<Entry> derive(Dataset<Row> recorded, String keyColumn) {
    Column notOk =
        functions.when(functions.col(DatasetColumns.STATUS).equalTo(ImageRecord.STATUS_OK), 0)
            .otherwise(1);
    List<Entry> out = new ArrayList<>();
    for (Row r :
        recorded
            .groupBy(
                functions.col(keyColumn),
                functions.col(DatasetColumns.INPUT_SIZE),
                functions.col(DatasetColumns.INPUT_MODIFIED),
                functions.col(DatasetColumns.INPUT_ETAG))
            .agg(
                functions.count(functions.lit(1)),
                functions.sum(notOk),
                functions.min(functions.col(DatasetColumns.IMAGE_ID)))
            .collectAsList()) {
      out.add(
          new Entry(
              r.getString(0),
              r.isNullAt(1) ? null : r.getLong(1),
              r.isNullAt(2) ? null : r.getLong(2),
              r.getString(3),
              r.getLong(4),
              r.getLong(5),
              r.getString(6)));
    }
    return out;
  }

  /** The entries kept for {@code snapshot} and {@code generator}, if there are. */
  static Optional<List<Entry>> read(DatasetStore store, long snapshot, String generator) {
    Path file = path(store, snapshot, generator);
    try (InputStream in = new GZIPInputStream(store.fs().open(file), 1 << 16);
        JsonParser p = JSON.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      JsonNode header = JSON.readTree(p);
      if (header.path("snapshot").asLong(-1) != snapshot
          || !generator.equals(header.path("generator").asText())) {
        return Optional.empty();
      }
      List<Entry> entries = new ArrayList<>();
      while (p.nextToken() == JsonToken.START_ARRAY) {
        JsonNode a = JSON.readTree(p);
        entries.add(
            new Entry(
                a.get(0).asText(),
                a.get(1).isNull() ? null : a.get(1).asLong(),
                a.get(2).isNull() ? null : a.get(2).asLong(),
                a.get(3).isNull() ? null : a.get(3).asText(),
                a.get(4).asLong(),
                a.get(5).asLong(),
                a.get(6).isNull() ? null : a.get(6).asText()));
      }
      return Optional.of(entries);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // derived again from the table
    }
  }

  /**
   * Keeps {@code entries} for {@code snapshot} and {@code generator} (whole or not at all) and
   * removes those this generator kept for earlier snapshots.
   */
  static void write(DatasetStore store, long snapshot, String generator, List<Entry> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes);
        JsonGenerator g = JSON.getFactory().createGenerator(gz)) {
      g.writeStartObject();
      g.writeNumberField("snapshot", snapshot);
      g.writeStringField("generator", generator);
      g.writeEndObject();
      for (Entry e : entries) {
        g.writeRaw('\n');
        g.writeStartArray();
        g.writeString(e.file());
        writeLong(g, e.size());
        writeLong(g, e.modified());
        g.writeString(e.etag());
        g.writeNumber(e.images());
        g.writeNumber(e.failed());
        g.writeString(e.imageId());
        g.writeEndArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = path(store, snapshot, generator);
    store.createExclusive(file, bytes.toByteArray());
    String suffix = "-" + hash(generator) + ".json.gz";
    try {
      for (FileStatus f : store.fs().listStatus(file.getParent())) {
        String name = f.getPath().getName();
        if (name.endsWith(suffix) && !f.getPath().getName().equals(file.getName())) {
          store.fs().delete(f.getPath(), false);
        }
      }
    } catch (IOException e) {
      // Old entries are only clutter: they are never read for another snapshot.
    }
  }

  private static void writeLong(JsonGenerator g, Long v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else {
      g.writeNumber(v);
    }
  }

  private static Path path(DatasetStore store, long snapshot, String generator) {
    return new Path(
        store.meta(DIR), String.format(Locale.ROOT, "%020d-%s.json.gz", snapshot, hash(generator)));
  }

  private static String hash(String generator) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(generator.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
