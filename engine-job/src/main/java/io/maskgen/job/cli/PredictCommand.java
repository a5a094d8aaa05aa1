package io.maskgen.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.maskgen.amg.MaskPredictor;
import io.maskgen.amg.MaskPrompt;
import io.maskgen.amg.Prediction;
import io.maskgen.image.ImageDecodeException;
import io.maskgen.image.ImageDecoder;
import io.maskgen.image.RgbImage;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.djl.DeviceChoice;
import io.maskgen.model.djl.ModelPackages;
import io.maskgen.render.Overlay;
import io.maskgen.spark.ModelLocations;
import io.maskgen.synth.WriteExamples;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskgen predict}: prompt mode, the masks of one image for given points and a box. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    versionProvider = MaskgenCommand.Version.class,
    sortOptions = false,
    description = {
      "Predicts the masks of one image for prompts (points and/or a box), as Segment Anything's"
          + " SamPredictor.predict does: no Spark, one encoder call, one decoder call.",
      "Coordinates are pixels of the upright image (JPEG EXIF orientation applied, as generate"
          + " does): x to the right, y down.",
      "",
      "Examples:",
      "  maskgen predict --model sam-vit-b --image dog.jpg --point 320,240 --multimask"
          + " --output dog.json",
      "  maskgen predict --model sam-vit-b --image dog.jpg --box 100,80,420,400"
          + " --point 250,200,0 --output dog.png",
      ""
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the output was written",
      "1:the image could not be read or the model failed",
      "2:bad options (a prompt outside the image, a box for a model that cannot take one, ...)"
    })
public final class PredictCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "tiny-sam",
      paramLabel = "DIR",
      description =
          "Segmentation model package: a folder with model.json (see export_sam.py) or a shipped"
              + " model name. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image.")
  Path image;

  @Option(
      names = "--point",
      paramLabel = "X,Y[,LABEL]",
      description =
          "A point prompt; LABEL 1 (default) marks the object, 0 the background. Repeatable.")
  List<String> points = new ArrayList<>();

  @Option(
      names = "--box",
      paramLabel = "X0,Y0,X1,Y1",
      description = "A box prompt: top-left and bottom-right corners.")
  String box;

  @Option(
      names = "--multimask",
      description =
          "Return SAM's three multimask outputs (best for a single ambiguous point) instead of"
              + " its single-mask output.")
  boolean multimask;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "OUT.json|OUT.png",
      description =
          "JSON: the masks as COCO RLE with bbox, area and predicted_iou, and the prompt. PNG:"
              + " the image with the highest-scoring mask drawn over it.")
  Path output;

  @Option(
      names = "--logits",
      paramLabel = "OUT.npy",
      description =
          "Also write the low-resolution mask logits (float32 [masks, 256, 256] for SAM, NumPy"
              + " .npy), e.g. to compare with SamPredictor's third output.")
  Path logits;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|gpu[:N]",
      description = "Where the model runs. Default: ${DEFAULT-VALUE}.")
  String device;

  @Override
  public Integer call() {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean png = name.endsWith(".png");
    if (!png && !name.endsWith(".json")) {
      throw new UsageException("Invalid --output " + output + ": expected a .json or .png file");
    }
    if (logits != null && !logits.getFileName().toString().endsWith(".npy")) {
      throw new UsageException("Invalid --logits " + logits + ": expected a .npy file");
    }
    if (points.isEmpty() && box == null) {
      throw new UsageException("No prompt: give --point X,Y[,LABEL] (repeatable) and/or --box");
    }
    DeviceChoice deviceChoice = DeviceChoice.parse(device);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RgbImage picture = readImage(err);
    if (picture == null) {
      return 1;
    }
    MaskPrompt prompt = prompt(picture);
    Path dir;
    try {
      dir = ModelLocations.local(model, new Configuration());
    } catch (RuntimeException e) {
      throw new UsageException("Invalid --model: " + e.getMessage());
    }
    try {
      ModelPackages.readSegmenterSpec(dir);
    } catch (IllegalArgumentException e) {
      throw new UsageException("Invalid --model " + dir + ": " + e.getMessage());
    }
    Prediction prediction;
    String modelName;
    try (SegmentationModel m = ModelPackages.loadSegmenter(dir, deviceChoice)) {
      modelName = m.spec().name();
      try (MaskPredictor.ImageSession s = new MaskPredictor(m).setImage(picture)) {
        prediction = s.predict(prompt);
      }
    }
    try {
      createParent(output);
      if (png) {
        writePng(picture, prediction);
      } else {
        writeJson(picture, modelName, prompt, prediction);
      }
      if (logits != null) {
        createParent(logits);
        writeNpy(logits, prediction);
      }
    } catch (IOException e) {
      err.println("maskgen predict: cannot write " + e.getMessage());
      err.flush();
      return 1;
    }
    StringBuilder scores = new StringBuilder();
    for (Prediction.Mask mask : prediction.masks()) {
      scores.append(scores.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%.4f", mask.score()));
    }
    out.printf(
        "Wrote %s: %d mask%s of %s (%dx%d), predicted IoU %s%n",
        output,
        prediction.masks().size(),
        prediction.masks().size() == 1 ? "" : "s",
        image,
        picture.width(),
        picture.height(),
        scores);
    out.flush();
    return 0;
  }

  private RgbImage readImage(PrintWriter err) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(image);
    } catch (NoSuchFileException e) {
      throw new UsageException("Invalid --image " + image + ": no such file");
    } catch (IOException e) {
      throw new UsageException("Invalid --image " + image + ": cannot read it (" + e + ")");
    }
    try {
      return new ImageDecoder().decode(bytes, image.toString());
    } catch (ImageDecodeException e) {
      err.println("maskgen predict: " + e.getMessage());
      err.flush();
      return null;
    }
  }

  /** The prompt from the options, checked against the image's size. */
  MaskPrompt prompt(RgbImage picture) {
    int w = picture.width();
    int h = picture.height();
    double[] xy = new double[2 * points.size()];
    int[] labels = new int[points.size()];
    for (int i = 0; i < points.size(); i++) {
      String p = points.get(i);
      double[] v = numbers("--point", p, 2, 3);
      if (!inside(v[0], v[1], w, h)) {
        throw new UsageException(
            "Invalid --point " + p + ": outside the " + w + "x" + h + " image");
      }
      if (v.length == 3 && v[2] != 0 && v[2] != 1) {
        throw new UsageException(
            "Invalid --point " + p + ": LABEL must be 1 (object) or 0 (background)");
      }
      xy[2 * i] = v[0];
      xy[2 * i + 1] = v[1];
      labels[i] = v.length == 3 ? (int) v[2] : 1;
    }
    double[] b = null;
    if (box != null) {
      b = numbers("--box", box, 4, 4);
      if (!inside(b[0], b[1], w, h) || !inside(b[2], b[3], w, h)) {
        throw new UsageException("Invalid --box " + box + ": outside the " + w + "x" + h + " image");
      }
      if (!(b[0] < b[2] && b[1] < b[3])) {
        throw new UsageException("Invalid --box " + box + ": expected X0 < X1 and Y0 < Y1");
      }
    }
    return new MaskPrompt(xy, labels, b, null, multimask);
  }

  private static boolean inside(double x, double y, int w, int h) {
    return x >= 0 && y >= 0 && x <= w && y <= h;
  }

  private static double[] numbers(String option, String value, int min, int max) {
    String[] parts = value.split(",", -1);
    String expected = option.equals("--box") ? "X0,Y0,X1,Y1" : "X,Y[,LABEL]";
    if (parts.length < min || parts.length > max) {
      throw new UsageException("Invalid " + option + " " + value + ": expected " + expected);
    }
    double[] v = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new UsageException(
            "Invalid " + option + " " + value + ": '" + parts[i] + "' is not a number (expected "
                + expected + ")");
      }
      if (!Double.isFinite(v[i])) {
        throw new UsageException("Invalid " + option + " " + value + ": expected " + expected);
      }
    }
    return v;
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  private void writePng(RgbImage picture, Prediction prediction) throws IOException {
    Prediction.Mask best = prediction.masks().get(0);
    for (Prediction.Mask m : prediction.masks()) {
      if (m.score() > best.score()) {
        best = m;
      }
    }
    RgbImage drawn =
        Overlay.draw(
            picture,
            List.of(new Overlay.Layer(best.rle(), Overlay.colour(0))),
            Overlay.DEFAULT_ALPHA,
            Overlay.defaultOutlineWidth(picture.width(), picture.height()));
    if (!ImageIO.write(WriteExamples.toBufferedImage(drawn), "png", output.toFile())) {
      throw new IOException(output + ": no PNG writer");
    }
  }

  private void writeJson(RgbImage picture, String modelName, MaskPrompt prompt, Prediction p)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    ObjectNode img = root.putObject("image");
    img.put("file", image.toString());
    img.put("width", picture.width());
    img.put("height", picture.height());
    root.put("model", modelName);
    ObjectNode pr = root.putObject("prompt");
    ArrayNode pts = pr.putArray("points");
    for (int i = 0; i < prompt.pointCount(); i++) {
      pts.addArray().add(prompt.pointsXy()[2 * i]).add(prompt.pointsXy()[2 * i + 1]);
    }
    ArrayNode labels = pr.putArray("labels");
    for (int l : prompt.labels()) {
      labels.add(l);
    }
    if (prompt.boxXyxy() == null) {
      pr.putNull("box");
    } else {
      ArrayNode b = pr.putArray("box");
      for (double v : prompt.boxXyxy()) {
        b.add(v);
      }
    }
    pr.put("multimask", prompt.multimask());
    ArrayNode masks = root.putArray("masks");
    for (Prediction.Mask m : p.masks()) {
      ObjectNode o = masks.addObject();
      ObjectNode seg = o.putObject("segmentation");
      seg.putArray("size").add(m.rle().height()).add(m.rle().width());
      seg.put("counts", m.rle().toCocoString());
      o.put("area", m.rle().area());
      ArrayNode bbox = o.putArray("bbox");
      for (double v : m.bboxXywh()) {
        bbox.add(v);
      }
      o.put("predicted_iou", m.score());
    }
    mapper.writeValue(output.toFile(), root);
  }

  /** NumPy's .npy format, version 1.0: float32 little-endian, C order. */
  private static void writeNpy(Path file, Prediction p) throws IOException {
    String header =
        String.format(
            Locale.ROOT,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d), }",
            p.masks().size(),
            p.lowResHeight(),
            p.lowResWidth());
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64.
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    String padded = header + " ".repeat(pad) + "\n";
    ByteBuffer data =
        ByteBuffer.allocate(4 * p.lowResLogits().length).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(p.lowResLogits());
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(os)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      int len = padded.length();
      out.write(len & 0xff);
      out.write(len >> 8);
      out.write(padded.getBytes(StandardCharsets.US_ASCII));
      out.write(data.array());
    }
  }
}
