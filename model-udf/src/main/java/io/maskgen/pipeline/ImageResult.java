package io.maskgen.pipeline;

import io.maskgen.schema.ImageRecord;
import io.maskgen.schema.MaskRecord;
import java.util.List;

/** The rows one input image contributes to the dataset, and the time each stage took. */
public record ImageResult(ImageRecord image, List<MaskRecord> masks, StageTimes times) {}
