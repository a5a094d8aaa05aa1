"""Generates the JPEG fixtures of ImageDecoderTest that Java's ImageIO cannot write.

Run from this directory with Debian's python3 (PIL 9.4, numpy, OpenCV):
    /usr/bin/python3 generate_fixtures.py

cmyk.jpg   32x32 CMYK JPEG as PIL/libjpeg write it: Adobe APP14 (transform 0), inverted samples.
ycck.jpg   the same picture stored as YCCK: Adobe APP14 transform 2.
           Both have four 16x16 quadrants of ink (C, M, Y, K) whose RGB is QUADRANT_RGB.
exif_<o>.jpg, o = 1..8: a 32x16 upright picture (white, an 8x8 red block in the top-left corner,
           an 8x8 green block in the top-right corner), stored so that EXIF orientation o
           makes it upright again.
Each file is checked against PIL (exif_transpose, convert('RGB')) and OpenCV's imread.
"""
import numpy as np
import cv2
from PIL import Image, ImageOps

QUADRANT_INK = [(0, 255, 255, 0), (255, 0, 255, 0), (0, 0, 0, 128), (0, 128, 255, 0)]
QUADRANT_RGB = [(255, 0, 0), (0, 255, 0), (127, 127, 127), (255, 127, 0)]
QUADRANT_CENTRES = [(8, 8), (24, 8), (8, 24), (24, 24)]  # (x, y): TL, TR, BL, BR


def quadrants(values):
    a = np.zeros((32, 32, 4), np.uint8)
    a[:16, :16], a[:16, 16:], a[16:, :16], a[16:, 16:] = values
    return a


def save_cmyk(path, samples_as_pil_cmyk, adobe_transform):
    # PIL writes CMYK inverted (Adobe style): the file stores 255 - the given values.
    Image.fromarray(samples_as_pil_cmyk, "CMYK").save(path, quality=95, subsampling=0)
    data = bytearray(open(path, "rb").read())
    i = data.find(b"Adobe")
    assert i > 0 and data[i - 4:i - 2] == b"\xff\xee", "PIL wrote no APP14 segment"
    data[i + 11] = adobe_transform
    open(path, "wb").write(bytes(data))


def rgb_to_ycc(rgb):
    r, g, b = [rgb[..., k].astype(np.float64) for k in range(3)]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    return np.clip(np.rint(np.stack([y, cb, cr], -1)), 0, 255).astype(np.uint8)


def check_quadrants(path):
    for decoded in (np.asarray(Image.open(path).convert("RGB")),
                    cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]):
        for (x, y), rgb in zip(QUADRANT_CENTRES, QUADRANT_RGB):
            got = decoded[y, x].astype(int)
            assert np.abs(got - rgb).max() <= 4, (path, (x, y), got, rgb)


def main():
    ink = quadrants(QUADRANT_INK)
    save_cmyk("cmyk.jpg", ink, 0)
    check_quadrants("cmyk.jpg")

    # Adobe YCCK: libjpeg turns (Y, Cb, Cr) into C, M, Y = 255 - RGB and keeps K; the result
    # is Adobe-inverted CMYK. So the YCC part encodes RGB = ink (c, m, y) and K is 255 - k.
    stored = np.concatenate([rgb_to_ycc(ink[..., :3]), 255 - ink[..., 3:]], -1)
    save_cmyk("ycck.jpg", 255 - stored, 2)
    check_quadrants("ycck.jpg")

    upright = np.full((16, 32, 3), 255, np.uint8)
    upright[:8, :8] = (255, 0, 0)
    upright[:8, 24:] = (0, 255, 0)
    base = Image.fromarray(upright)
    inverse = {1: None, 2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM,
               5: Image.TRANSPOSE, 6: Image.ROTATE_90, 7: Image.TRANSVERSE, 8: Image.ROTATE_270}
    for o, op in inverse.items():
        stored_img = base if op is None else base.transpose(op)
        exif = Image.Exif()
        exif[0x0112] = o
        path = "exif_%d.jpg" % o
        stored_img.save(path, quality=95, subsampling=0, exif=exif.tobytes())
        for decoded in (np.asarray(ImageOps.exif_transpose(Image.open(path))),
                        cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]):
            assert decoded.shape == upright.shape, (path, decoded.shape)
            assert np.abs(decoded.astype(int) - upright).max() <= 40, path


if __name__ == "__main__":
    main()
