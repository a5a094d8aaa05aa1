package io.maskgen.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.maskgen.model.ClipModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** {@link ClipTextEmbedder} with the shipped tiny-clip, against the model loaded directly. */
class ClipTextEmbedderTest {

  @Test
  void embedsAsTheClipModelsTextEncoderWithUnitLength() {
    ClipTextEmbedder embedder = new ClipTextEmbedder("tiny-clip");
    try (ClipModel direct =
        ModelPackages.loadClip(
            ModelLocations.local("tiny-clip", new Configuration()), DeviceChoice.CPU)) {
      for (String text : new String[] {"red", "a blue car", "something"}) {
        float[] e = embedder.embed(text);
        assertThat(e).containsExactly(direct.embedText(text));
        double norm = 0;
        for (float v : e) {
          norm += (double) v * v;
        }
        assertThat(Math.sqrt(norm)).as(text).isCloseTo(1.0, within(1e-6));
      }
      assertThat(embedder.embed("red")).isNotEqualTo(embedder.embed("green"));
    }
  }

  @Test
  void cachedEmbeddingsAreCopiesAndTheModelIsSharedPerJvm() {
    ClipTextEmbedder embedder = new ClipTextEmbedder("tiny-clip");
    float[] first = embedder.embed("yellow");
    first[0] = 42f;
    assertThat(embedder.embed("yellow")[0]).isNotEqualTo(42f);
    assertThat(ExecutorPipelines.clip("tiny-clip", DeviceChoice.CPU))
        .isSameAs(ExecutorPipelines.clip("tiny-clip", DeviceChoice.CPU));
  }

  @Test
  void travelsAsItsLocationOnly() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new ClipTextEmbedder("tiny-clip"));
    }
    assertThat(bytes.size()).isLessThan(300);
    TextEmbedder back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (TextEmbedder) in.readObject();
    }
    assertThat(back.embed("pink")).containsExactly(new ClipTextEmbedder("tiny-clip").embed("pink"));
  }

  @Test
  void anUnknownModelFailsWhenFirstUsedNamingIt() {
    ClipTextEmbedder embedder = new ClipTextEmbedder("/nonexistent/clip-model");
    assertThatThrownBy(() -> embedder.embed("red"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nonexistent/clip-model");
  }
}
