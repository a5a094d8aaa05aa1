package io.maskgen.job;

import io.maskgen.job.input.FileState;
import io.maskgen.job.input.InputImage;
import io.maskgen.job.input.Shard;
import io.maskgen.spark.MaskgenKryoRegistrator;
import java.util.ArrayList;
import java.util.List;

/** The Kryo registrator to name in {@code spark.kryo.registrator}: model-udf's plus the job's. */
public final class JobKryoRegistrator extends MaskgenKryoRegistrator {
  @Override
  protected List<Class<?>> recordClasses() {
    List<Class<?>> all = new ArrayList<>(super.recordClasses());
    all.add(Shard.class);
    all.add(InputImage.class);
    all.add(FileState.class);
    all.add(GenerateFunction.Known.class);
    all.add(GenerateFunction.ShardWork.class);
    return all;
  }
}
