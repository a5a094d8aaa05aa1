#!/usr/bin/env python3
"""Writes the inputs of refresh-fixed-cost.sh: small distinct PNG images (pure Python, no PIL).

  make-refresh-inputs.py DIR SHARDS PER_SHARD LOOSE [SIZE]

writes DIR/tars/shard_NNNN.tar (SHARDS tars of PER_SHARD images each) and, when LOOSE > 0,
DIR/loose/img_NNNNN.png. Every image is SIZE x SIZE pixels (default 32), a gradient whose colour
depends on its number, so no two images have the same bytes.
"""
import io
import os
import struct
import sys
import tarfile
import zlib


def png(n, size):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    r, g, b = n % 251, (n // 251) % 251, (n // 63001) % 251
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            rows += bytes(((r + x) % 256, (g + y) % 256, (b + x + y) % 256))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows)))
            + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    shards, per_shard, loose = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    size = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    n = 0
    if shards > 0:
        os.makedirs(os.path.join(out, "tars"), exist_ok=True)
    for s in range(shards):
        with tarfile.open(os.path.join(out, "tars", "shard_%04d.tar" % s), "w") as tar:
            for i in range(per_shard):
                data = png(n, size)
                n += 1
                info = tarfile.TarInfo("sa_%07d.png" % (s * per_shard + i))
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    if loose > 0:
        os.makedirs(os.path.join(out, "loose"), exist_ok=True)
    for i in range(loose):
        with open(os.path.join(out, "loose", "img_%05d.png" % i), "wb") as f:
            f.write(png(n, size))
        n += 1


if __name__ == "__main__":
    main()
