package io.maskgen.job.input;

import java.io.IOException;
import org.apache.hadoop.fs.Path;

/** Plain-words reasons for object store errors that Hadoop reports with the SDK's full text. */
public final class StoreErrors {

  private StoreErrors() {}

  /**
   * {@code "bucket NAME does not exist"} when {@code e} says that {@code path}'s bucket is missing
   * (S3A's {@code UnknownStoreException}, the SDK's {@code NoSuchBucketException}); else null.
   */
  public static String missingBucket(Path path, IOException e) {
    String bucket = path.toUri().getAuthority();
    if (bucket == null) {
      return null;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      // By name: hadoop-aws and the AWS SDK need not be on the classpath.
      String name = t.getClass().getSimpleName();
      if (name.equals("UnknownStoreException") || name.equals("NoSuchBucketException")) {
        return "bucket " + bucket + " does not exist";
      }
    }
    return null;
  }
}
