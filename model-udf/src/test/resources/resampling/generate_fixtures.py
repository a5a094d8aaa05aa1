"""Generates the golden vectors of ResamplingTest with PIL's antialiased resize.

Run from this directory with Debian's python3 (PIL 9.4):
    /usr/bin/python3 generate_fixtures.py

input_37x29.rgb          a 37 x 29 random RGB image, raw interleaved bytes, row-major.
<filter>_<W>x<H>.rgb     Image.resize((W, H), Image.BICUBIC or Image.BILINEAR) of it, same layout.
Sizes cover shrinking, enlarging, shrinking one axis while enlarging the other, one axis kept,
and strong reduction.
"""
import numpy as np
from PIL import Image

W, H = 37, 29
SIZES = [(12, 9), (5, 20), (53, 41), (37, 10), (16, 29), (3, 2)]
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}


def main():
    pixels = np.random.RandomState(20240601).randint(0, 256, (H, W, 3), dtype=np.uint8)
    open("input_%dx%d.rgb" % (W, H), "wb").write(pixels.tobytes())
    image = Image.fromarray(pixels, "RGB")
    for name, resample in FILTERS.items():
        for w, h in SIZES:
            out = np.asarray(image.resize((w, h), resample))
            assert out.shape == (h, w, 3)
            open("%s_%dx%d.rgb" % (name, w, h), "wb").write(out.tobytes())


if __name__ == "__main__":
    main()
