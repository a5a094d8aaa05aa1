package io.maskgen.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageRecordTest {
  static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @Test
  void okImageHasSizeHashAndNoError() {
    ImageRecord r = ImageRecord.ok("a/b", "/data", SHA, 640, 480, 12, "g", "run", 1.25);
    assertThat(r.isOk()).isTrue();
    assertThat(r.status()).isEqualTo("ok");
    assertThat(r.error()).isNull();
    assertThat(r.width()).isEqualTo(640);
    assertThat(r.maskCount()).isEqualTo(12);
  }

  @Test
  void failedImageMayLackSizeAndHash() {
    ImageRecord r =
        ImageRecord.failed(
            "a/c", "/data", null, null, null, "a/c.jpg: truncated JPEG", "g", "run", 0.01);
    assertThat(r.isOk()).isFalse();
    assertThat(r.status()).isEqualTo("failed");
    assertThat(r.maskCount()).isZero();
  }

  @Test
  void rejectsUnknownStatus() {
    assertThatThrownBy(() -> new ImageRecord("a", "s", SHA, 1, 1, "done", null, 0, "g", "r", 0,
            null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid status: 'done', expected 'ok' or 'failed'");
  }

  @Test
  void rejectsInconsistentStatusAndError() {
    assertThatThrownBy(() -> new ImageRecord("a", "s", SHA, 1, 1, "ok", "boom", 0, "g", "r", 0,
            null, null, null, null))
        .hasMessageContaining("status 'ok' and an error: boom");
    assertThatThrownBy(() -> new ImageRecord("a", "s", null, 1, 1, "ok", null, 0, "g", "r", 0,
            null, null, null, null))
        .hasMessageContaining("no sha256, width or height");
    assertThatThrownBy(() -> ImageRecord.failed("a", "s", null, null, null, " ", "g", "r", 0))
        .hasMessageContaining("status 'failed' but no error");
    assertThatThrownBy(
            () -> new ImageRecord("a", "s", null, null, null, "failed", "e", 3, "g", "r", 0,
            null, null, null, null))
        .hasMessageContaining("status 'failed' but 3 masks");
  }

  @Test
  void rejectsMissingIdsAndBadValues() {
    assertThatThrownBy(() -> ImageRecord.ok(null, "s", SHA, 1, 1, 0, "g", "r", 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("imageId");
    assertThatThrownBy(() -> ImageRecord.ok("a", "s", SHA, 1, 1, 0, "g", null, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("runId");
    assertThatThrownBy(() -> ImageRecord.ok("a", "s", SHA.toUpperCase(), 1, 1, 0, "g", "r", 0))
        .hasMessageContaining("Invalid sha256");
    assertThatThrownBy(() -> ImageRecord.ok("a", "s", SHA, 0, 1, 0, "g", "r", 0))
        .hasMessageContaining("Invalid width: 0");
    assertThatThrownBy(() -> ImageRecord.ok("a", "s", SHA, 1, 1, -1, "g", "r", 0))
        .hasMessageContaining("Invalid mask count: -1");
    assertThatThrownBy(() -> ImageRecord.ok("a", "s", SHA, 1, 1, 0, "g", "r", Double.NaN))
        .hasMessageContaining("Invalid seconds: NaN");
  }
}
