package io.maskgen.spark;

import io.maskgen.model.ClipModel;
import io.maskgen.model.djl.DeviceChoice;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link TextEmbedder} backed by a CLIP model package: it carries only the package's location
 * (a shipped name, a local folder or a Hadoop URI, see {@link ModelLocations}); the model is loaded
 * on first use, once per JVM, on the CPU ({@link ExecutorPipelines#clip}), and the embeddings of the
 * last {@value #CACHED_TEXTS} texts are kept per JVM, so a query that calls {@code
 * clip_text('red')} for every row runs the text encoder once.
 */
public final class ClipTextEmbedder implements TextEmbedder {

  private static final long serialVersionUID = 1L;

  /** How many recent (location, text) embeddings each JVM keeps. */
  public static final int CACHED_TEXTS = 1024;

  private static final Map<String, float[]> RECENT =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
              return size() > CACHED_TEXTS;
            }
          });

  private final String location;

  /**
   * @param location the CLIP package, as {@code generate --clip} takes it
   */
  public ClipTextEmbedder(String location) {
    this.location = Objects.requireNonNull(location, "location");
  }

  /** The CLIP package location. */
  public String location() {
    return location;
  }

  @Override
  public float[] embed(String text) {
    Objects.requireNonNull(text, "text");
    String key = location + '\u0000' + text;
    float[] cached = RECENT.get(key);
    if (cached == null) {
      ClipModel model = ExecutorPipelines.clip(location, DeviceChoice.CPU);
      cached = model.embedText(text);
      RECENT.put(key, cached);
    }
    return cached.clone();
  }

  @Override
  public String toString() {
    return "ClipTextEmbedder[" + location + "]";
  }
}
