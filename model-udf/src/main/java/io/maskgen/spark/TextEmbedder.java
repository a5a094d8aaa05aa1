package io.maskgen.spark;

import java.io.Serializable;

/**
 * Embeds a text query into the space of the {@code masks.clip_embedding} column, for the SQL
 * function {@code clip_text(text)} (see {@link MaskgenFunctions#register(
 * org.apache.spark.sql.SparkSession, TextEmbedder)}).
 *
 * <p>An instance is serialised into the query plan and called on executors, once per row and
 * possibly from several threads at once; implementations carry only a small spec, load their model
 * lazily (once per JVM) and should cache the embeddings of recent texts, since a query like {@code
 * cosine(clip_embedding, clip_text('a dog'))} calls it for every row with the same text.
 */
@FunctionalInterface
public interface TextEmbedder extends Serializable {

  /** The unit-length embedding of {@code text} (never null; {@code text} is never null). */
  float[] embed(String text);
}
