package io.maskgen.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Converts decoded rasters to interleaved 8-bit RGB the way OpenCV's {@code imread} and PIL's
 * {@code convert("RGB")} do: raw sample values (no colour management, no gamma: an embedded ICC
 * profile is ignored), gray replicated to three channels, alpha dropped without compositing,
 * palette indices looked up. Samples wider than 8 bits keep their high byte ({@code v >> (bits -
 * 8)}, libpng's strip_16); narrower ones are scaled to 0-255 ({@code v * 255 / (2^bits - 1)}).
 */
final class RasterConversion {

  private RasterConversion() {}

  /** Interleaved RGB of {@code image}, {@code width * height * 3} bytes. */
  static byte[] toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof IndexColorModel icm) {
      return fromIndexed(raster, icm);
    }
    int transfer = cm.getTransferType();
    if (cm instanceof ComponentColorModel
        && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT)) {
      int type = cm.getColorSpace().getType();
      int colors = cm.getNumColorComponents();
      if (type == ColorSpace.TYPE_GRAY && colors == 1) {
        return fromBands(raster, new int[] {0, 0, 0}, cm.getComponentSize(0));
      }
      if (type == ColorSpace.TYPE_RGB && colors == 3) {
        return fromBands(raster, new int[] {0, 1, 2}, cm.getComponentSize(0));
      }
    }
    return fromArgb(image);
  }

  /**
   * RGB of a 4-band 8-bit CMYK or YCCK JPEG raster, as libjpeg, OpenCV and PIL convert it (no ICC
   * profile): YCCK is first turned into CMYK with the JPEG YCbCr equations, then {@code R = (255 -
   * C) * (255 - K) / 255}, and likewise for G (M) and B (Y). {@code inverted}: the samples are
   * stored inverted (255 = no ink), as Adobe applications write them.
   */
  static byte[] fromCmyk(Raster raster, boolean ycck, boolean inverted) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] out = new byte[w * h * 3];
    int[][] rows = new int[4][w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      for (int b = 0; b < 4; b++) {
        readBandRow(raster, b, y, rows[b]);
      }
      for (int x = 0; x < w; x++) {
        int c = rows[0][x];
        int m = rows[1][x];
        int ye = rows[2][x];
        int k = rows[3][x];
        if (ycck) {
          // libjpeg's ycck_cmyk_convert: C, M, Y = 255 - RGB(Y, Cb, Cr); K unchanged.
          double luma = c;
          double cb = m - 128.0;
          double cr = ye - 128.0;
          c = 255 - clamp(luma + 1.402 * cr);
          m = 255 - clamp(luma - 0.344136286 * cb - 0.714136286 * cr);
          ye = 255 - clamp(luma + 1.772 * cb);
        }
        if (!inverted) {
          c = 255 - c;
          m = 255 - m;
          ye = 255 - ye;
          k = 255 - k;
        }
        // Here c, m, ye, k are "no ink" amounts: 255 means white paper.
        out[o++] = (byte) ((c * k + 127) / 255);
        out[o++] = (byte) ((m * k + 127) / 255);
        out[o++] = (byte) ((ye * k + 127) / 255);
      }
    }
    return out;
  }

  private static int clamp(double v) {
    long r = Math.round(v);
    return r < 0 ? 0 : r > 255 ? 255 : (int) r;
  }

  /** RGB from three bands of {@code raster} (the same band thrice for gray). */
  private static byte[] fromBands(Raster raster, int[] bands, int bits) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] lut = bits == 8 ? null : scaleTable(bits);
    byte[] out = new byte[w * h * 3];
    int[][] rows = new int[3][];
    rows[0] = new int[w];
    rows[1] = bands[1] == bands[0] ? rows[0] : new int[w];
    rows[2] = bands[2] == bands[0] ? rows[0] : new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      readBandRow(raster, bands[0], y, rows[0]);
      if (rows[1] != rows[0]) {
        readBandRow(raster, bands[1], y, rows[1]);
      }
      if (rows[2] != rows[0]) {
        readBandRow(raster, bands[2], y, rows[2]);
      }
      int[] r = rows[0];
      int[] g = rows[1];
      int[] b = rows[2];
      if (lut == null) {
        for (int x = 0; x < w; x++) {
          out[o++] = (byte) r[x];
          out[o++] = (byte) g[x];
          out[o++] = (byte) b[x];
        }
      } else {
        for (int x = 0; x < w; x++) {
          out[o++] = lut[r[x]];
          out[o++] = lut[g[x]];
          out[o++] = lut[b[x]];
        }
      }
    }
    return out;
  }

  /** Maps a {@code bits}-bit sample to 8 bits: high byte when wider, full-range scale otherwise. */
  private static byte[] scaleTable(int bits) {
    int size = 1 << bits;
    byte[] lut = new byte[size];
    for (int v = 0; v < size; v++) {
      lut[v] = (byte) (bits > 8 ? v >> (bits - 8) : (v * 255 + (size - 1) / 2) / (size - 1));
    }
    return lut;
  }

  private static byte[] fromIndexed(Raster raster, IndexColorModel icm) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] argb = new int[icm.getMapSize()];
    icm.getRGBs(argb);
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      readBandRow(raster, 0, y, row);
      for (int x = 0; x < w; x++) {
        int i = row[x];
        // An index past the palette is black, as in PIL.
        int c = i < argb.length ? argb[i] : 0;
        out[o++] = (byte) (c >> 16);
        out[o++] = (byte) (c >> 8);
        out[o++] = (byte) c;
      }
    }
    return out;
  }

  /** Any other colour model (packed RGB, 565, non-RGB colour spaces) through {@code getRGB}. */
  private static byte[] fromArgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int c = row[x];
        out[o++] = (byte) (c >> 16);
        out[o++] = (byte) (c >> 8);
        out[o++] = (byte) c;
      }
    }
    return out;
  }

  /**
   * Row {@code y} (0-based within the raster) of band {@code band}, unsigned. Reads the data array
   * directly for byte and ushort component layouts; otherwise goes through {@link
   * Raster#getSamples}.
   */
  static void readBandRow(Raster raster, int band, int y, int[] dst) {
    int w = raster.getWidth();
    SampleModel sm = raster.getSampleModel();
    DataBuffer db = raster.getDataBuffer();
    if (sm instanceof ComponentSampleModel csm
        && (db instanceof DataBufferByte || db instanceof DataBufferUShort)) {
      int bank = csm.getBankIndices()[band];
      int ps = csm.getPixelStride();
      int sx = raster.getMinX() - raster.getSampleModelTranslateX();
      int sy = raster.getMinY() + y - raster.getSampleModelTranslateY();
      int i =
          db.getOffsets()[bank]
              + sy * csm.getScanlineStride()
              + sx * ps
              + csm.getBandOffsets()[band];
      if (db instanceof DataBufferByte dbb) {
        byte[] data = dbb.getData(bank);
        for (int x = 0; x < w; x++, i += ps) {
          dst[x] = data[i] & 0xff;
        }
      } else {
        short[] data = ((DataBufferUShort) db).getData(bank);
        for (int x = 0; x < w; x++, i += ps) {
          dst[x] = data[i] & 0xffff;
        }
      }
      return;
    }
    raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, band, dst);
  }
}
