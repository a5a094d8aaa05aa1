package io.maskgen.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers the classes maskgen ships between JVMs, for {@code spark.kryo.registrator}. With
 * {@code spark.kryo.registrationRequired=true} a missing class fails fast instead of writing its
 * full name into every record. Java records go through Java serialization inside Kryo, which
 * calls their canonical constructors (Kryo's field serializer cannot set a record's final fields).
 */
public class MaskgenKryoRegistrator implements KryoRegistrator {

  /** Record classes of this module and dataset-schema that travel between JVMs. */
  protected List<Class<?>> recordClasses() {
    return List.of(MaskRecord.class, ImageRecord.class, PipelineSpec.class);
  }

  @Override
  public void registerClasses(Kryo kryo) {
    for (Class<?> c : recordClasses()) {
      kryo.register(c, new JavaSerializer());
    }
    kryo.register(double[].class);
    kryo.register(double[][].class);
    kryo.register(float[].class);
    kryo.register(int[].class);
    kryo.register(byte[].class);
  }
}
