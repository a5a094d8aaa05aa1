package io.maskgen.model;

/** An image encoder's output, held by the runtime (possibly on a GPU); opaque to callers. */
public interface ImageEmbedding extends AutoCloseable {
  @Override
  void close();
}
