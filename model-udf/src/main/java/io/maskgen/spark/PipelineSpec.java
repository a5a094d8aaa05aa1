package io.maskgen.spark;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import java.io.Serializable;

/**
 * What an executor needs to build the image pipeline: small and serialisable, sent with the task.
 * Models are named by location and loaded on the executor, once per JVM and device.
 *
 * @param model segmentation package: a shipped model name, a local folder, or a Hadoop URI
 * @param clip CLIP package, same forms, or null for none
 * @param device the user's --device choice
 * @param amg generator parameters
 * @param clipBackground mask crop background
 * @param maxImagePixels decompression-bomb limit
 * @param generator generator fingerprint, computed on the driver
 * @param runId the run
 * @param parallelism post-processing threads per task
 */
public record PipelineSpec(
    String model,
    String clip,
    String device,
    AmgParams amg,
    MaskCrops.Background clipBackground,
    long maxImagePixels,
    String generator,
    String runId,
    int parallelism)
    implements Serializable {}
