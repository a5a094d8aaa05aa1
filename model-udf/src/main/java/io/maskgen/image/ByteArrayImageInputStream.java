package io.maskgen.image;

import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An {@code ImageInputStream} over a byte array, without the copy that {@code
 * MemoryCacheImageInputStream} makes and without the temporary files that {@code
 * ImageIO.createImageInputStream} may create.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {

  private final byte[] data;

  ByteArrayImageInputStream(byte[] data) {
    this.data = Objects.requireNonNull(data, "data");
  }

  @Override
  public int read() {
    bitOffset = 0;
    if (streamPos >= data.length) {
      return -1;
    }
    return data[(int) streamPos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    if (streamPos >= data.length) {
      return -1;
    }
    int n = (int) Math.min(len, data.length - streamPos);
    System.arraycopy(data, (int) streamPos, b, off, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return data.length;
  }

  @Override
  public boolean isCached() {
    return true;
  }

  @Override
  public boolean isCachedMemory() {
    return true;
  }
}
