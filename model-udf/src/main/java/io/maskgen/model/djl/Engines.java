package io.maskgen.model.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Loading one model file into DJL and calling its block, the same way for both engines. */
final class Engines {

  private Engines() {}

  /** Loads {@code file} (an .onnx or TorchScript file) with {@code engine} onto {@code device}. */
  static Model load(Path file, String engine, Device device) {
    return load(file, engine, device, 0);
  }

  /**
   * Loads {@code file} with {@code engine} onto {@code device}. With {@code cpuThreads > 0}, an ONNX
   * Runtime session computes each call on at most that many threads (intra-op; operators run one
   * after another): an executor's tasks then share its cores instead of each call taking all the
   * machine's cores. PyTorch's thread count is global to the process (DJL reads {@code
   * ai.djl.pytorch.num_threads} when the engine starts), so it is left to that setting.
   */
  static Model load(Path file, String engine, Device device, int cpuThreads) {
    Model model = Model.newInstance(file.getFileName().toString(), device, engine);
    try {
      String name = file.getFileName().toString();
      int dot = name.lastIndexOf('.');
      Map<String, String> options = new HashMap<>();
      options.put("mapLocation", "true");
      if (cpuThreads > 0 && "OnnxRuntime".equals(engine)) {
        options.put("intraOpNumThreads", Integer.toString(cpuThreads));
        options.put("interOpNumThreads", "1");
      }
      model.load(file.getParent(), dot > 0 ? name.substring(0, dot) : name, options);
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new IllegalArgumentException(
          "cannot load " + file + " with the " + engine + " engine on " + device + ": " + e, e);
    }
  }

  /** The model's declared input names in order, or an empty list where the engine has none. */
  static List<String> inputNames(Model model) {
    List<String> names = new ArrayList<>();
    try {
      PairList<String, ai.djl.ndarray.types.Shape> in = model.getBlock().describeInput();
      if (in != null) {
        names.addAll(in.keys());
      }
    } catch (RuntimeException e) {
      // TorchScript blocks may not describe their inputs; callers fall back to positions.
    }
    names.removeIf(n -> n == null || n.isBlank());
    return names;
  }

  /**
   * Runs the block on {@code inputs}; the outputs are attached to {@code manager}. Blocks of both
   * engines may be called from several threads at once (ONNX Runtime sessions and TorchScript
   * modules in inference mode are thread-safe); DJL predictors are not used for that reason.
   */
  static NDList forward(Model model, NDManager manager, NDList inputs) {
    Block block = model.getBlock();
    NDList out = block.forward(new ParameterStore(manager, false), inputs, false);
    out.attach(manager);
    return out;
  }

  /** The output called {@code name}, or the one at {@code index} when outputs carry no names. */
  static NDArray output(NDList out, String name, int index) {
    for (NDArray a : out) {
      if (name.equals(a.getName())) {
        return a;
      }
    }
    if (index >= out.size()) {
      throw new IllegalStateException(
          "model returned " + out.size() + " outputs, expected '" + name + "' at position " + index);
    }
    return out.get(index);
  }
}
