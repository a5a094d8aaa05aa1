package io.maskgen.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetColumnsTest {

  @Test
  void masksDdlIsTheDocumentedContract() {
    assertThat(parseDdl(DatasetColumns.MASKS_DDL))
        .containsExactly(
            "image_id STRING",
            "mask_id INT",
            "height INT",
            "width INT",
            "rle STRING",
            "bbox ARRAY<DOUBLE>",
            "area BIGINT",
            "predicted_iou FLOAT",
            "stability_score FLOAT",
            "point_coords ARRAY<ARRAY<DOUBLE>>",
            "crop_box ARRAY<INT>",
            "clip_embedding ARRAY<FLOAT>",
            "generator STRING",
            "run_id STRING");
  }

  @Test
  void everyColumnHasAOneLineCommentInColumnOrder() {
    assertThat(DatasetColumns.MASKS_COMMENTS.keySet())
        .containsExactlyElementsOf(DatasetColumns.MASKS_COLUMNS);
    assertThat(DatasetColumns.IMAGES_COMMENTS.keySet())
        .containsExactlyElementsOf(DatasetColumns.IMAGES_COLUMNS);
    for (var e : DatasetColumns.MASKS_COMMENTS.entrySet()) {
      assertThat(e.getValue()).as(e.getKey()).isNotBlank().doesNotContain("\n").hasSizeLessThan(90);
    }
    for (var e : DatasetColumns.IMAGES_COMMENTS.entrySet()) {
      assertThat(e.getValue()).as(e.getKey()).isNotBlank().doesNotContain("\n").hasSizeLessThan(90);
    }
  }

  @Test
  void imagesDdlIsTheDocumentedContract() {
    assertThat(parseDdl(DatasetColumns.IMAGES_DDL))
        .containsExactly(
            "image_id STRING",
            "source STRING",
            "sha256 STRING",
            "width INT",
            "height INT",
            "status STRING",
            "error STRING",
            "mask_count INT",
            "generator STRING",
            "run_id STRING",
            "seconds DOUBLE",
            "input_file STRING",
            "input_size BIGINT",
            "input_modified BIGINT",
            "input_etag STRING");
  }

  @Test
  void columnListsMatchDdlAndRecordComponents() {
    assertThat(names(DatasetColumns.MASKS_DDL)).isEqualTo(DatasetColumns.MASKS_COLUMNS);
    assertThat(names(DatasetColumns.IMAGES_DDL)).isEqualTo(DatasetColumns.IMAGES_COLUMNS);
    assertThat(snakeCaseComponents(MaskRecord.class)).isEqualTo(DatasetColumns.MASKS_COLUMNS);
    assertThat(snakeCaseComponents(ImageRecord.class)).isEqualTo(DatasetColumns.IMAGES_COLUMNS);
  }

  /** Splits a DDL string at top-level commas (not those inside {@code <...>}). */
  private static List<String> parseDdl(String ddl) {
    List<String> fields = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < ddl.length(); i++) {
      char c = ddl.charAt(i);
      if (c == '<') {
        depth++;
      } else if (c == '>') {
        depth--;
      } else if (c == ',' && depth == 0) {
        fields.add(ddl.substring(start, i).trim());
        start = i + 1;
      }
    }
    fields.add(ddl.substring(start).trim());
    return fields;
  }

  private static List<String> names(String ddl) {
    return parseDdl(ddl).stream().map(f -> f.substring(0, f.indexOf(' '))).toList();
  }

  private static List<String> snakeCaseComponents(Class<?> record) {
    return Arrays.stream(record.getRecordComponents())
        .map(RecordComponent::getName)
        .map(n -> n.replaceAll("([A-Z0-9]+)", "_$1").toLowerCase())
        .map(n -> n.equals("sha_256") ? "sha256" : n)
        .toList();
  }
}
