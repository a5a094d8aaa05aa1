package io.maskgen.schema.sa1b;

import io.maskgen.schema.MaskRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An SA-1B per-image JSON: {@code {"image": {...}, "annotations": [...]}}.
 *
 * @param image the image
 * @param annotations its masks, in file order (an unmodifiable copy)
 */
public record Sa1bFile(Sa1bImage image, List<Sa1bAnnotation> annotations) {
  /** Validates and copies. */
  public Sa1bFile {
    Objects.requireNonNull(image, "image");
    annotations = List.copyOf(annotations);
  }

  /** The file of an image and its mask rows ({@link Sa1bAnnotation#fromMaskRecord}). */
  public static Sa1bFile of(Sa1bImage image, List<MaskRecord> masks) {
    List<Sa1bAnnotation> annotations = new ArrayList<>(masks.size());
    for (MaskRecord mask : masks) {
      annotations.add(Sa1bAnnotation.fromMaskRecord(mask));
    }
    return new Sa1bFile(image, annotations);
  }

  /**
   * The mask rows of the annotations, numbered {@code 0..n-1} in file order ({@link
   * Sa1bAnnotation#toMaskRecord}).
   */
  public List<MaskRecord> toMaskRecords(String imageId, String generator, String runId) {
    List<MaskRecord> masks = new ArrayList<>(annotations.size());
    for (int i = 0; i < annotations.size(); i++) {
      masks.add(annotations.get(i).toMaskRecord(imageId, i, generator, runId));
    }
    return masks;
  }
}
