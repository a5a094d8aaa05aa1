package io.maskgen.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.maskgen.job.input.FileState;
import io.maskgen.job.input.InputImage;
import io.maskgen.job.input.Shard;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

class JobKryoRegistratorTest {

  private static SerializerInstance kryo() {
    SparkConf conf =
        new SparkConf(false)
            .set("spark.kryo.registrator", JobKryoRegistrator.class.getName())
            .set("spark.kryo.registrationRequired", "true");
    return new KryoSerializer(conf).newInstance();
  }

  @Test
  void shardsSurviveKryoBetweenTwoSerializerInstancesWithRegistrationRequired() {
    Shard shard =
        Shard.ofFiles(3, List.of(new InputImage("file:/a/b.jpg", "b", 12), new InputImage("s3a://x/y.png", "y", 7)));
    ByteBuffer bytes = kryo().serialize(shard, ClassTag$.MODULE$.apply(Shard.class));
    Shard back = kryo().deserialize(bytes, ClassTag$.MODULE$.apply(Shard.class));
    assertThat(back).isEqualTo(shard);
  }

  @Test
  void whatARefreshTellsItsTasksSurvivesKryo() {
    Shard tar = Shard.ofTar(1, "s3a://b/sa_1.tar", new FileState(10, 20, "\"e\""));
    Shard tarBack = kryo().deserialize(kryo().serialize(tar, ClassTag$.MODULE$.apply(Shard.class)),
        ClassTag$.MODULE$.apply(Shard.class));
    assertThat(tarBack).isEqualTo(tar);
    java.util.HashMap<String, GenerateFunction.Known> known = new java.util.HashMap<>();
    known.put("sa_1", new GenerateFunction.Known("ab", "s3a://b/sa_1.tar", 10L, null, "\"e\""));
    GenerateFunction.ShardWork work = new GenerateFunction.ShardWork(1, known);
    var tag = ClassTag$.MODULE$.<GenerateFunction.ShardWork>apply(GenerateFunction.ShardWork.class);
    GenerateFunction.ShardWork workBack = kryo().deserialize(kryo().serialize(work, tag), tag);
    assertThat(workBack).isEqualTo(work);
  }
}
