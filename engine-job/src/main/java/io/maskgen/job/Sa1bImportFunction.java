package io.maskgen.job;

import io.maskgen.job.input.InputScanner;
import io.maskgen.job.input.ShardReader;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import io.maskgen.schema.sa1b.Sa1bFile;
import io.maskgen.schema.sa1b.Sa1bFormatException;
import io.maskgen.schema.sa1b.Sa1bJson;
import io.maskgen.spark.SparkSchemas;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The task of the import: yields one row per image (an {@code images} row with its mask rows, as
 * the generation job does), lazily, so a tar of thousands of files never sits in memory at once. A
 * file that cannot be read or is not valid SA-1B JSON gives a failed row naming it and the cause.
 * In a tar, an image and its JSON are paired by member name (the release puts them next to each
 * other); only the image's SHA-256 is kept while waiting for its partner.
 */
final class Sa1bImportFunction implements FlatMapFunction<Iterator<Integer>, Row> {

  private final Sa1bImportJob.Plan plan;
  private final String runId;
  private final SerializableHadoopConf conf;
  private final JobMetrics metrics;

  Sa1bImportFunction(
      Sa1bImportJob.Plan plan, String runId, SerializableHadoopConf conf, JobMetrics metrics) {
    this.plan = plan;
    this.runId = runId;
    this.conf = conf;
    this.metrics = metrics;
  }

  @Override
  public Iterator<Row> call(Iterator<Integer> indices) {
    Rows rows = new Rows(indices);
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      ctx.addTaskCompletionListener((TaskContext c) -> rows.closeCurrent());
    }
    return rows;
  }

  /** A unit of work that adds rows to a queue, a few at a time. */
  private interface Step {
    /** Adds at least one row, or returns false when there are no more. */
    boolean advance(Deque<Row> ready);

    /** The file being read, for error messages. */
    String file();

    default void close() {}
  }

  private final class Rows implements Iterator<Row> {
    private final Iterator<Integer> indices;
    private final Deque<Row> ready = new ArrayDeque<>();
    private Step current;

    Rows(Iterator<Integer> indices) {
      this.indices = indices;
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty()) {
        if (current == null) {
          if (!indices.hasNext()) {
            return false;
          }
          int i = indices.next();
          current =
              i < plan.groups().size()
                  ? new LooseFiles(plan.groups().get(i))
                  : new TarShard(plan.tars().get(i - plan.groups().size()));
        }
        boolean advanced;
        try {
          advanced = current.advance(ready);
        } catch (ItemFailure e) {
          throw e;
        } catch (RuntimeException e) {
          throw new ItemFailure("import of " + current.file(), e);
        }
        if (!advanced) {
          closeCurrent();
          metrics.shards.add(1);
        }
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.poll();
    }

    void closeCurrent() {
      if (current != null) {
        current.close();
        current = null;
      }
    }
  }

  private final class LooseFiles implements Step {
    private final Iterator<Sa1bImportJob.Source> sources;
    private Sa1bImportJob.Source source;

    LooseFiles(List<Sa1bImportJob.Source> sources) {
      this.sources = sources.iterator();
    }

    @Override
    public boolean advance(Deque<Row> ready) {
      if (!sources.hasNext()) {
        return false;
      }
      source = sources.next();
      ready.add(importLoose(source));
      return true;
    }

    @Override
    public String file() {
      return source == null
          ? "a group of files"
          : source.jsonUri() != null ? source.jsonUri() : source.imageUri();
    }
  }

  private Row importLoose(Sa1bImportJob.Source s) {
    long start = System.nanoTime();
    String imageSha = null;
    if (s.imageUri() != null) {
      try (InputStream in = open(s.imageUri())) {
        imageSha = sha256(in);
      } catch (IOException e) {
        return failed(s.imageId(), s.imageUri(), null, s.imageUri() + ": unreadable: " + e, start);
      }
    }
    if (s.jsonUri() == null) {
      return failed(
          s.imageId(),
          s.imageUri(),
          imageSha,
          s.imageUri() + ": no SA-1B JSON beside it (expected " + jsonNameFor(s.imageUri()) + ")",
          start);
    }
    byte[] json;
    try (InputStream in = open(s.jsonUri())) {
      json = readLimited(in, s.jsonUri());
    } catch (IOException e) {
      return failed(s.imageId(), s.jsonUri(), null, s.jsonUri() + ": unreadable: " + e, start);
    }
    return build(s.imageId(), json, s.jsonUri(), s.imageUri(), imageSha, start);
  }

  /**
   * The row of one JSON document: ok with its masks, or failed with the reason. {@code source} and
   * {@code sha256} are the image's when given, else the JSON's.
   */
  private Row build(
      String imageId,
      byte[] json,
      String jsonSource,
      String imageSource,
      String imageSha,
      long start) {
    String jsonSha = sha256(json);
    try {
      Sa1bFile file = Sa1bJson.read(new ByteArrayInputStream(json), jsonSource);
      List<MaskRecord> masks = file.toMaskRecords(imageId, Sa1bImportJob.GENERATOR, runId);
      ImageRecord image =
          ImageRecord.ok(
              imageId,
              imageSource != null ? imageSource : jsonSource,
              imageSource != null ? imageSha : jsonSha,
              file.image().width(),
              file.image().height(),
              masks.size(),
              Sa1bImportJob.GENERATOR,
              runId,
              seconds(start));
      metrics.imagesOk.add(1);
      metrics.masks.add(masks.size());
      JobMetrics.LIVE_IMAGES.incrementAndGet();
      JobMetrics.LIVE_MASKS.addAndGet(masks.size());
      return SparkSchemas.imageWithMasksRow(image, masks);
    } catch (Sa1bFormatException e) {
      return failed(imageId, jsonSource, jsonSha, e.getMessage(), start);
    } catch (IOException e) {
      throw new UncheckedIOException("Unexpected I/O error reading from memory", e);
    } catch (IllegalArgumentException e) {
      // A record invariant the JSON breaks (e.g. a fractional crop box, area above h*w).
      return failed(
          imageId, jsonSource, jsonSha, "Invalid SA-1B JSON " + jsonSource + ": " + e.getMessage(),
          start);
    } catch (RuntimeException e) {
      throw new ItemFailure("import of image_id '" + imageId + "' (" + jsonSource + ")", e);
    }
  }

  private Row failed(String imageId, String source, String sha, String error, long start) {
    metrics.imagesFailed.add(1);
    JobMetrics.LIVE_IMAGES.incrementAndGet();
    return SparkSchemas.imageWithMasksRow(
        ImageRecord.failed(
            imageId,
            source,
            sha,
            null,
            null,
            error,
            Sa1bImportJob.GENERATOR,
            runId,
            seconds(start)),
        List.of());
  }

  /** One SA-1B tar shard: image + JSON pairs, paired by member name. */
  private final class TarShard implements Step {
    private final String tarUri;
    private TarArchiveInputStream tar;
    private boolean ended;
    private int members;
    /** JSON members waiting for their image: stem -> member name, bytes. */
    private final Map<String, Object[]> jsons = new LinkedHashMap<>();
    /** Image members waiting for their JSON: stem -> member name, sha256. */
    private final Map<String, String[]> images = new LinkedHashMap<>();

    TarShard(String tarUri) {
      this.tarUri = tarUri;
    }

    @Override
    public String file() {
      return tarUri;
    }

    @Override
    public boolean advance(Deque<Row> ready) {
      if (!ended) {
        readUntilRow(ready);
        if (!ready.isEmpty()) {
          return true;
        }
      }
      // The end of the tar: JSON files without an image, then images without a JSON.
      long start = System.nanoTime();
      if (!jsons.isEmpty()) {
        String stem = jsons.keySet().iterator().next();
        Object[] j = jsons.remove(stem);
        ready.add(build(stem, (byte[]) j[1], source((String) j[0]), null, null, start));
        return true;
      }
      if (!images.isEmpty()) {
        String stem = images.keySet().iterator().next();
        String[] img = images.remove(stem);
        ready.add(
            failed(
                stem,
                source(img[0]),
                img[1],
                source(img[0]) + ": no SA-1B JSON for it in the tar (expected "
                    + jsonNameFor(img[0])
                    + ")",
                start));
        return true;
      }
      return false;
    }

    private void readUntilRow(Deque<Row> ready) {
      String member = null;
      long start = System.nanoTime();
      try {
        if (tar == null) {
          tar = new TarArchiveInputStream(new BufferedInputStream(open(tarUri), 1 << 20));
        }
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          if (!entry.isFile()) {
            continue;
          }
          String name = entry.getName().startsWith("./")
              ? entry.getName().substring(2)
              : entry.getName();
          String base = name.substring(name.lastIndexOf('/') + 1);
          String ext = InputScanner.extension(base);
          boolean json = ext.equals("json");
          if (base.startsWith(".") || (!json && !InputScanner.IMAGE_EXTENSIONS.contains(ext))) {
            continue;
          }
          start = System.nanoTime();
          member = entry.getName();
          members++;
          String stem = InputScanner.stripExtension(name);
          if (json) {
            if (entry.getSize() > ShardReader.MAX_FILE_BYTES) {
              ready.add(failed(stem, source(member), null,
                  source(member) + ": " + entry.getSize() + " bytes, larger than the limit",
                  start));
              return;
            }
            byte[] bytes = tar.readAllBytes();
            String[] img = images.remove(stem);
            if (img != null) {
              ready.add(build(stem, bytes, source(member), source(img[0]), img[1], start));
              return;
            }
            jsons.put(stem, new Object[] {member, bytes});
          } else {
            String sha = sha256(tar);
            Object[] j = jsons.remove(stem);
            if (j != null) {
              ready.add(build(stem, (byte[]) j[1], source((String) j[0]), source(member), sha,
                  start));
              return;
            }
            images.putIfAbsent(stem, new String[] {member, sha});
          }
        }
        ended = true;
      } catch (FileNotFoundException e) {
        throw new UncheckedIOException("Tar shard not found: " + tarUri, e);
      } catch (IOException e) {
        // A cut-off or corrupt tar: keep what was read, record the break as a failed row, stop.
        ended = true;
        String where = member != null ? member : "#after-" + members + "-members";
        String id =
            member != null
                ? InputScanner.stripExtension(member.startsWith("./") ? member.substring(2)
                    : member)
                : InputScanner.stripExtension(tarUri.substring(tarUri.lastIndexOf('/') + 1))
                    + where;
        if (member != null) {
          jsons.remove(id);
          images.remove(id);
        }
        ready.add(
            failed(
                id,
                source(where),
                null,
                tarUri + ": corrupt or truncated tar shard after " + members + " members: "
                    + e.getMessage(),
                start));
      }
    }

    private String source(String member) {
      return tarUri + "!" + member;
    }

    @Override
    public void close() {
      if (tar != null) {
        try {
          tar.close();
        } catch (IOException e) {
          // Reading is over; nothing to keep.
        }
        tar = null;
      }
    }
  }

  private InputStream open(String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(conf.get());
    return fs.open(path);
  }

  private static byte[] readLimited(InputStream in, String name) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, ShardReader.MAX_FILE_BYTES + 1));
    if (bytes.length > ShardReader.MAX_FILE_BYTES) {
      throw new IOException(
          name + " is larger than the " + ShardReader.MAX_FILE_BYTES + " byte limit");
    }
    return bytes;
  }

  private static String jsonNameFor(String imageUriOrMember) {
    String base = imageUriOrMember.substring(imageUriOrMember.lastIndexOf('/') + 1);
    return InputScanner.stripExtension(base) + ".json";
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  static String sha256(InputStream in) throws IOException {
    MessageDigest d = digest();
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      d.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
