"""Generates the ICC-profile JPEG fixtures of ImageDecoderTest and their expected pixels.

Run from this directory with Debian's python3 (PIL 9.4 and OpenCV, both on libjpeg-turbo):
    /usr/bin/python3 generate_icc_fixtures.py

icc_adobe_rgb.jpg          64x48 baseline JPEG, 4:2:0, carrying a matrix/TRC ICC profile with
                           Adobe RGB (1998) primaries and gamma 563/256 (APP2 ICC_PROFILE).
icc_display_p3_progressive.jpg
                           the same picture as a progressive JPEG, 4:4:4, carrying a profile with
                           Display P3 primaries and gamma 2.2.
icc_adobe_rgb_split.jpg    the baseline picture with its profile split over two APP2 segments
                           (as writers do for profiles over 64 KB), 4:4:4.
icc_display_p3_exif_6.jpg  the picture stored turned (48x64) with EXIF orientation 6 before the
                           Display P3 profile, so that it is upright (64x48) again when decoded.
<name>.png                 what libjpeg-turbo decodes each file to without colour management:
                           PIL's exif_transpose(Image.open(f)).convert('RGB'), checked equal to
                           cv2.imread (which applies the EXIF orientation too).

The profiles are built here byte by byte (ICC v2 'mntr' RGB profiles: desc, cprt, wtpt, rXYZ, gXYZ,
bXYZ and one gamma curve per channel), so no profile file is copied from anywhere.
"""
import struct

import cv2
import numpy as np
from PIL import Image, ImageOps

D50 = (0.9642, 1.0, 0.8249)
# Primaries adapted to D50, as the colorants of such profiles are.
ADOBE_RGB = [(0.60974, 0.31111, 0.01947), (0.20528, 0.62567, 0.06087),
             (0.14919, 0.06322, 0.74457)]
DISPLAY_P3 = [(0.51512, 0.24120, -0.00105), (0.29198, 0.69225, 0.04189),
              (0.15710, 0.06657, 0.78407)]


def s15f16(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz_tag(xyz):
    return b"XYZ " + bytes(4) + b"".join(s15f16(v) for v in xyz)


def curve_tag(gamma_u8f8):
    return b"curv" + bytes(4) + struct.pack(">IH", 1, gamma_u8f8) + bytes(2)


def desc_tag(text):
    ascii_ = text.encode("ascii") + b"\0"
    return (b"desc" + bytes(4) + struct.pack(">I", len(ascii_)) + ascii_
            + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + bytes(67))


def text_tag(text):
    return b"text" + bytes(4) + text.encode("ascii") + b"\0"


def profile(name, primaries, gamma_u8f8):
    tags = [(b"desc", desc_tag(name)), (b"cprt", text_tag("No copyright, use freely")),
            (b"wtpt", xyz_tag(D50))]
    tags += [(sig, xyz_tag(p)) for sig, p in zip((b"rXYZ", b"gXYZ", b"bXYZ"), primaries)]
    curve = curve_tag(gamma_u8f8)
    tags += [(b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table = struct.pack(">I", len(tags))
    data = b""
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = 128 + table_size + len(data)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000)
              + b"mntrRGB XYZ " + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp"
              + bytes(4) + struct.pack(">I", 0) + bytes(8) + bytes(8) + struct.pack(">I", 0)
              + b"".join(s15f16(v) for v in D50) + bytes(4) + bytes(16) + bytes(28))
    assert len(header) == 128, len(header)
    return header + table + data


def picture():
    """Smooth gradients and saturated blocks, where a colour conversion shows most."""
    h, w = 48, 64
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x + y) * 255 // (w + h - 2)], -1)
    rgb = rgb.astype(np.uint8)
    blocks = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255),
              (255, 0, 255), (40, 90, 200), (230, 140, 60)]
    for i, c in enumerate(blocks):
        rgb[32:48, i * 8:i * 8 + 8] = c
    return Image.fromarray(rgb)


def split_icc(path, icc):
    """Rewrites the single APP2 ICC_PROFILE segment of path as two (sequence 1/2 and 2/2)."""
    data = open(path, "rb").read()
    i = data.find(b"ICC_PROFILE\0")
    start = i - 4
    assert data[start:start + 2] == b"\xff\xe2"
    length = struct.unpack(">H", data[start + 2:start + 4])[0]
    half = len(icc) // 2
    segs = b""
    for seq, part in ((1, icc[:half]), (2, icc[half:])):
        body = b"ICC_PROFILE\0" + bytes([seq, 2]) + part
        segs += b"\xff\xe2" + struct.pack(">H", len(body) + 2) + body
    open(path, "wb").write(data[:start] + segs + data[start + 2 + length:])


def expect(path):
    pil = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    cv = cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]
    assert np.array_equal(pil, cv), (path, np.abs(pil.astype(int) - cv).max())
    Image.fromarray(pil).save(path[:-4] + ".png", optimize=True)


def main():
    img = picture()
    adobe = profile("Adobe RGB (1998) primaries, gamma 2.2", ADOBE_RGB, 0x0233)
    p3 = profile("Display P3 primaries, gamma 2.2", DISPLAY_P3, 0x0233)
    img.save("icc_adobe_rgb.jpg", quality=90, subsampling=2, icc_profile=adobe)
    img.save("icc_display_p3_progressive.jpg", quality=90, subsampling=0, progressive=True,
             icc_profile=p3)
    img.save("icc_adobe_rgb_split.jpg", quality=90, subsampling=0, icc_profile=adobe)
    split_icc("icc_adobe_rgb_split.jpg", adobe)
    exif = Image.Exif()
    exif[0x0112] = 6
    img.transpose(Image.ROTATE_90).save("icc_display_p3_exif_6.jpg", quality=90, subsampling=0,
                                        icc_profile=p3, exif=exif.tobytes())
    for f in ("icc_adobe_rgb.jpg", "icc_display_p3_progressive.jpg", "icc_adobe_rgb_split.jpg",
              "icc_display_p3_exif_6.jpg"):
        assert Image.open(f).info.get("icc_profile") == (adobe if "adobe" in f else p3), f
        expect(f)
        upright = np.asarray(Image.open(f[:-4] + ".png")).astype(int)
        assert np.abs(upright - np.asarray(img)).mean() < 6, f  # upright, JPEG error only


if __name__ == "__main__":
    main()
