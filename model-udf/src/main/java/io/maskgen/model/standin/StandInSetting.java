package io.maskgen.model.standin;

import java.util.Locale;

/**
 * The Spark setting {@value #CONF} that makes the generate job's models stand-ins: {@code
 * "ENCODER_MS:DECODER_MS_PER_PROMPT:CLIP_MS_PER_CROP"}, e.g. {@code 207:0.216:0.69}. Each executor
 * then has one {@link SimulatedDevice} and one {@link ModelTape}: an image it has not seen runs the
 * real models (on the CPU) and is recorded, an image it has seen is replayed, its calls holding the
 * device for those times. For benchmarks only ({@code maskgen bench --masters --warm}).
 */
public final class StandInSetting {

  /** The setting's name. */
  public static final String CONF = "spark.maskgen.standin";

  private StandInSetting() {}

  /** The timing a value of {@value #CONF} gives. */
  public static ModelTape.Timing parse(String value) {
    String[] parts = value.split(":");
    if (parts.length != 3) {
      throw invalid(value);
    }
    double[] ms = new double[3];
    for (int i = 0; i < 3; i++) {
      try {
        ms[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw invalid(value);
      }
      if (!(ms[i] >= 0) || Double.isInfinite(ms[i])) {
        throw invalid(value);
      }
    }
    return new ModelTape.Timing(nanos(ms[0]), nanos(ms[1]), nanos(ms[2]));
  }

  /** The value that gives {@code t}. */
  public static String format(ModelTape.Timing t) {
    return String.format(
        Locale.ROOT, "%s:%s:%s", t.encodeNanos() / 1e6, t.decodeNanosPerPrompt() / 1e6,
        t.clipNanosPerCrop() / 1e6);
  }

  private static long nanos(double ms) {
    return Math.round(ms * 1e6);
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException(
        "Invalid " + CONF + ": '" + value + "' (expected ENCODER_MS:DECODER_MS_PER_PROMPT:"
            + "CLIP_MS_PER_CROP, three numbers >= 0, e.g. 207:0.216:0.69)");
  }
}
