package io.maskgen.model.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where a model runs, as the user writes it: {@code auto} (a GPU if the engine sees one, else the
 * CPU), {@code cpu}, {@code gpu} (GPU 0) or {@code gpu:N}.
 *
 * @param kind what was asked for
 * @param gpuIndex the GPU for {@link Kind#GPU}, else -1
 */
public record DeviceChoice(Kind kind, int gpuIndex) {

  /** The three kinds of choice. */
  public enum Kind {
    AUTO,
    CPU,
    GPU
  }

  public static final DeviceChoice AUTO = new DeviceChoice(Kind.AUTO, -1);
  public static final DeviceChoice CPU = new DeviceChoice(Kind.CPU, -1);

  /** Parses a {@code --device} value; the error names the value and the allowed forms. */
  public static DeviceChoice parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "auto":
        return AUTO;
      case "cpu":
        return CPU;
      case "gpu":
      case "cuda":
        return new DeviceChoice(Kind.GPU, 0);
      default:
        break;
    }
    if (v.startsWith("gpu:") || v.startsWith("cuda:")) {
      String n = v.substring(v.indexOf(':') + 1);
      try {
        int index = Integer.parseInt(n);
        if (index >= 0) {
          return new DeviceChoice(Kind.GPU, index);
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException(
        "Invalid --device: '" + value + "' (allowed: auto, cpu, gpu, gpu:N with N >= 0)");
  }

  public boolean isCpu() {
    return kind == Kind.CPU;
  }

  /** The DJL device for {@code engineName}; a GPU that the engine does not see is an error. */
  public Device toDevice(String engineName) {
    Engine engine = Engine.getEngine(engineName);
    int gpus = engine.getGpuCount();
    return switch (kind) {
      case CPU -> Device.cpu();
      case AUTO -> gpus > 0 ? Device.gpu(0) : Device.cpu();
      case GPU -> {
        if (gpuIndex >= gpus) {
          throw new IllegalArgumentException(
              "Invalid --device: gpu:" + gpuIndex + ", but the " + engineName + " engine sees "
                  + gpus + " GPU(s) (use --device cpu, or a GPU build of the engine)");
        }
        yield Device.gpu(gpuIndex);
      }
    };
  }

  @Override
  public String toString() {
    return kind == Kind.GPU ? "gpu:" + gpuIndex : kind.name().toLowerCase(Locale.ROOT);
  }
}
