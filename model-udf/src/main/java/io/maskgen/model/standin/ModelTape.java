package io.maskgen.model.standin;

import io.maskgen.image.PreparedImage;
import io.maskgen.model.ClipModel;
import io.maskgen.model.ClipSpec;
import io.maskgen.model.DecodedMasks;
import io.maskgen.model.ImageEmbedding;
import io.maskgen.model.PointPrompts;
import io.maskgen.model.SegmentationModel;
import io.maskgen.model.SegmenterSpec;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real model outputs recorded once and replayed by stand-in models, so a benchmark can give the
 * model calls any wall time without spending CPU on them while the rest of the pipeline does its
 * real work on real outputs.
 *
 * <p>{@link #recording} wraps a real segmentation model (and {@link #recordingClip} a CLIP model):
 * every call runs the real model and its output is kept, keyed by a 64-bit hash of the call's
 * inputs (the encoder's normalised pixels; the prompts with their image; the CLIP crops). {@link
 * #replaying} and {@link #replayingClip} return the recorded output of the same inputs after
 * running the call on a {@link SimulatedDevice} for its fixed time; the only CPU they spend is hashing
 * the inputs (about what copying them to a GPU costs). A call the tape has not seen fails, naming
 * what is missing. Outputs are shared between replays, not copied: callers must not modify them
 * (the pipeline does not). Safe for concurrent use.
 *
 * <p>Memory: the decoder's low-resolution logits are kept whole, B x 3 x 256 x 256 floats per
 * call, about 800 MB per image at 32 x 32 points.
 */
public final class ModelTape {

  /**
   * How long each replayed call holds the device.
   *
   * @param encodeNanos per image encoder call
   * @param decodeNanosPerPrompt per prompt of a decoder call (a call of B prompts takes B times)
   * @param clipNanosPerCrop per mask crop of a CLIP image call
   */
  public record Timing(long encodeNanos, long decodeNanosPerPrompt, long clipNanosPerCrop) {
    /** No wait at all: replay costs only the hashing. */
    public static final Timing NONE = new Timing(0, 0, 0);
  }

  /** What the recorders saw, to split a model time per image among the calls. */
  public record Counts(long encoderCalls, long decoderCalls, long prompts, long clipCrops) {}

  private record DecodeKey(long image, int batch, int points, long coords, long labels, long mask) {}

  private record ClipKey(long pixels, int batch) {}

  private final Set<Long> images = ConcurrentHashMap.newKeySet();
  // Images whose recording has ended (embedding closed), safe to replay while others record.
  private final Set<Long> complete = ConcurrentHashMap.newKeySet();
  private final Map<DecodeKey, DecodedMasks> decoded = new ConcurrentHashMap<>();
  private final Map<ClipKey, float[][]> clipped = new ConcurrentHashMap<>();
  private final Map<String, float[]> texts = new ConcurrentHashMap<>();
  private final AtomicLong encoderCalls = new AtomicLong();
  private final AtomicLong decoderCalls = new AtomicLong();
  private final AtomicLong prompts = new AtomicLong();
  private final AtomicLong clipCrops = new AtomicLong();
  private volatile SegmenterSpec segmenterSpec;
  private volatile ClipSpec clipSpec;

  /** Calls recorded so far. */
  public Counts counts() {
    return new Counts(encoderCalls.get(), decoderCalls.get(), prompts.get(), clipCrops.get());
  }

  /** A model that runs {@code real} (borrowed, not closed) and records every output. */
  public SegmentationModel recording(SegmentationModel real) {
    segmenterSpec = real.spec();
    return new Recorder(real);
  }

  /** A CLIP model that runs {@code real} (borrowed, not closed) and records every output. */
  public ClipModel recordingClip(ClipModel real) {
    clipSpec = real.spec();
    return new ClipRecorder(real);
  }

  /** A model that replays this tape, holding {@code device} for each call's time. */
  public SegmentationModel replaying(SimulatedDevice device, Timing timing) {
    if (segmenterSpec == null) {
      throw new IllegalStateException("Nothing recorded yet: record the images first");
    }
    return new Replayer(segmenterSpec, device, timing);
  }

  /** A CLIP model that replays this tape, holding {@code device} for each call's time. */
  public ClipModel replayingClip(SimulatedDevice device, Timing timing) {
    if (clipSpec == null) {
      throw new IllegalStateException("No CLIP call recorded yet: record the images first");
    }
    return new ClipReplayer(clipSpec, device, timing);
  }

  /**
   * A model that replays what this tape holds and records the rest: an image recorded whole
   * before (same encoder input, its embedding closed) runs each call on {@code device} and returns
   * the recorded outputs; any other image runs {@code real} (borrowed, not closed) and is
   * recorded, without the device.
   */
  public SegmentationModel replayingOrRecording(
      SegmentationModel real, SimulatedDevice device, Timing timing) {
    segmenterSpec = real.spec();
    return new Either(new Recorder(real), new Replayer(real.spec(), device, timing));
  }

  /** {@link #replayingOrRecording} for CLIP: a batch of crops seen before is replayed. */
  public ClipModel replayingOrRecordingClip(ClipModel real, SimulatedDevice device, Timing timing) {
    clipSpec = real.spec();
    ClipModel record = new ClipRecorder(real);
    ClipModel replay = new ClipReplayer(real.spec(), device, timing);
    return new ClipModel() {
      @Override
      public ClipSpec spec() {
        return real.spec();
      }

      @Override
      public float[][] embedImages(float[] pixelValues, int batch) {
        return clipped.containsKey(new ClipKey(hash(pixelValues), batch))
            ? replay.embedImages(pixelValues, batch)
            : record.embedImages(pixelValues, batch);
      }

      @Override
      public float[] embedText(String text) {
        return real.embedText(text);
      }

      @Override
      public void close() {
        // Borrowed.
      }
    };
  }

  /** 64-bit FNV-1a over the floats' bits and the length. */
  static long hash(float[] a) {
    if (a == null) {
      return 0;
    }
    long h = 0xcbf29ce484222325L ^ a.length;
    for (float f : a) {
      h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
    }
    return h;
  }

  private static DecodeKey key(long image, PointPrompts p) {
    return new DecodeKey(
        image, p.batch(), p.points(), hash(p.coords()), hash(p.labels()), hash(p.maskInput()));
  }

  /** An embedding known by the hash of its encoder input; closing it may run {@code onClose}. */
  private record Keyed(long image, ImageEmbedding real, Runnable onClose)
      implements ImageEmbedding {
    @Override
    public void close() {
      if (real != null) {
        real.close();
      }
      if (onClose != null) {
        onClose.run();
      }
    }
  }

  private static Keyed keyed(ImageEmbedding e) {
    if (e instanceof Keyed k) {
      return k;
    }
    throw new IllegalArgumentException("Not an embedding of a stand-in model: " + e);
  }

  private final class Recorder implements SegmentationModel {
    private final SegmentationModel real;

    Recorder(SegmentationModel real) {
      this.real = real;
    }

    @Override
    public SegmenterSpec spec() {
      return real.spec();
    }

    @Override
    public ImageEmbedding encode(PreparedImage image) {
      long key = hash(image.chw());
      ImageEmbedding e = real.encode(image);
      images.add(key);
      encoderCalls.incrementAndGet();
      // Closed once every decoder call on it has returned: the image is then on the tape whole.
      return new Keyed(key, e, () -> complete.add(key));
    }

    @Override
    public DecodedMasks decode(ImageEmbedding embedding, PointPrompts p) {
      Keyed k = keyed(embedding);
      DecodedMasks out = real.decode(k.real(), p);
      decoded.put(key(k.image(), p), out);
      decoderCalls.incrementAndGet();
      prompts.addAndGet(p.batch());
      return out;
    }

    @Override
    public void close() {
      // Borrowed.
    }
  }

  private final class Replayer implements SegmentationModel {
    private final SegmenterSpec spec;
    private final SimulatedDevice device;
    private final Timing timing;

    Replayer(SegmenterSpec spec, SimulatedDevice device, Timing timing) {
      this.spec = spec;
      this.device = device;
      this.timing = timing;
    }

    @Override
    public SegmenterSpec spec() {
      return spec;
    }

    @Override
    public boolean serialisesCalls() {
      return true;
    }

    @Override
    public ImageEmbedding encode(PreparedImage image) {
      long key = hash(image.chw());
      if (!images.contains(key)) {
        throw new IllegalStateException(
            "No recorded encoder call for this " + image.originalWidth() + "x"
                + image.originalHeight() + " image: record it first");
      }
      device.run(timing.encodeNanos());
      return new Keyed(key, null, null);
    }

    @Override
    public DecodedMasks decode(ImageEmbedding embedding, PointPrompts p) {
      DecodedMasks out = decoded.get(key(keyed(embedding).image(), p));
      if (out == null) {
        throw new IllegalStateException(
            "No recorded decoder call for this batch of " + p.batch() + " prompts: record the"
                + " image with the same parameters first");
      }
      device.run(timing.decodeNanosPerPrompt() * p.batch());
      return out;
    }

    @Override
    public void close() {
      // The tape stays usable.
    }
  }

  private final class Either implements SegmentationModel {
    private final Recorder record;
    private final Replayer replay;

    Either(Recorder record, Replayer replay) {
      this.record = record;
      this.replay = replay;
    }

    @Override
    public SegmenterSpec spec() {
      return record.spec();
    }

    @Override
    public boolean serialisesCalls() {
      return true;
    }

    @Override
    public ImageEmbedding encode(PreparedImage image) {
      return complete.contains(hash(image.chw())) ? replay.encode(image) : record.encode(image);
    }

    @Override
    public DecodedMasks decode(ImageEmbedding embedding, PointPrompts p) {
      return keyed(embedding).real() == null ? replay.decode(embedding, p)
          : record.decode(embedding, p);
    }

    @Override
    public void close() {
      // Borrowed.
    }
  }

  private final class ClipRecorder implements ClipModel {
    private final ClipModel real;

    ClipRecorder(ClipModel real) {
      this.real = real;
    }

    @Override
    public ClipSpec spec() {
      return real.spec();
    }

    @Override
    public float[][] embedImages(float[] pixelValues, int batch) {
      float[][] out = real.embedImages(pixelValues, batch);
      clipped.put(new ClipKey(hash(pixelValues), batch), out);
      clipCrops.addAndGet(batch);
      return out;
    }

    @Override
    public float[] embedText(String text) {
      float[] out = real.embedText(text);
      texts.put(text, out);
      return out;
    }

    @Override
    public void close() {
      // Borrowed.
    }
  }

  private final class ClipReplayer implements ClipModel {
    private final ClipSpec spec;
    private final SimulatedDevice device;
    private final Timing timing;

    ClipReplayer(ClipSpec spec, SimulatedDevice device, Timing timing) {
      this.spec = spec;
      this.device = device;
      this.timing = timing;
    }

    @Override
    public ClipSpec spec() {
      return spec;
    }

    @Override
    public float[][] embedImages(float[] pixelValues, int batch) {
      float[][] out = clipped.get(new ClipKey(hash(pixelValues), batch));
      if (out == null) {
        throw new IllegalStateException(
            "No recorded CLIP call for this batch of " + batch + " crops: record it first");
      }
      device.run(timing.clipNanosPerCrop() * batch);
      return out.clone();
    }

    @Override
    public float[] embedText(String text) {
      float[] out = texts.get(text);
      if (out == null) {
        throw new IllegalStateException("No recorded CLIP text call for \"" + text + "\"");
      }
      return out;
    }

    @Override
    public void close() {
      // The tape stays usable.
    }
  }
}
