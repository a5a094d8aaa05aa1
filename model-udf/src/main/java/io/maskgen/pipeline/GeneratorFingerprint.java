package io.maskgen.pipeline;

import io.maskgen.amg.AmgParams;
import io.maskgen.clip.MaskCrops;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code generator} value of a dataset's rows: the model names followed by a hash of
 * everything that changes the output (the bytes of both model packages, every generator parameter
 * and the CLIP background mode), e.g. {@code tiny-sam+tiny-clip:3fa2c1d9e0b4}. Two runs share a
 * fingerprint exactly when they would produce the same masks.
 */
public final class GeneratorFingerprint {

  private GeneratorFingerprint() {}

  /**
   * @param modelName segmentation model name
   * @param modelDigest {@link #digest(Path)} of its package
   * @param clipName CLIP model name, or null when CLIP is off
   * @param clipDigest digest of the CLIP package, or null
   */
  public static String of(
      String modelName,
      String modelDigest,
      String clipName,
      String clipDigest,
      AmgParams params,
      MaskCrops.Background background) {
    String canonical =
        String.join(
            "\n",
            "model=" + modelName,
            "model_digest=" + modelDigest,
            "clip=" + (clipName == null ? "none" : clipName),
            "clip_digest=" + (clipDigest == null ? "none" : clipDigest),
            "clip_background=" + (clipName == null ? "none" : background.name()),
            "params=" + params.fingerprint());
    String hash = sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    return modelName + "+" + (clipName == null ? "noclip" : clipName) + ":" + hash;
  }

  /** SHA-256 over the relative paths and bytes of every file in a model package, in path order. */
  public static String digest(Path packageDir) {
    MessageDigest md = sha256();
    List<Path> files;
    try (Stream<Path> s = Files.walk(packageDir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list model package " + packageDir, e);
    }
    byte[] buf = new byte[1 << 16];
    for (Path f : files) {
      md.update(packageDir.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
        while (in.read(buf) >= 0) {
          // DigestInputStream updates the digest as it reads.
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read model file " + f, e);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
