package io.maskgen.job.bench;

/**
 * One configuration of the in-process benchmark.
 *
 * @param megapixels images are resized to this many million pixels (aspect ratio kept); 0 keeps
 *     their size
 * @param pointsPerSide the generator's points_per_side
 * @param cropNLayers the generator's crop_n_layers
 */
record BenchCase(double megapixels, int pointsPerSide, int cropNLayers) {}
