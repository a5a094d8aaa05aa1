#!/usr/bin/python3
"""Generates the AMG test fixtures beside this script (development time only; tests never run it).

Run with Debian's python3 (torch 1.13, numpy, opencv):  /usr/bin/python3 generate_fixtures.py

Writes:
- upsample_cases.json + upsample_expected.f32: PyTorch's mask post-processing of
  segment-anything (F.interpolate bilinear align_corners=False to S x S, cut to the resized input,
  F.interpolate to the crop size) on logits that both this script and the Java test compute from
  the same formula (see logits()), so only the outputs are stored (float32 little-endian).
- small_regions.jsonl: masks before and after segment-anything's remove_small_regions (OpenCV
  connectedComponentsWithStats, 8-connectivity), as column-major RLE counts.
- grids_and_crops.json: numpy point grids (build_point_grid) and crop boxes (generate_crop_boxes).
"""
import json
import math
import os
from itertools import product

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- logits shared with the Java test (UpsampleFixture.logits) ----
def logits(kind, seed, channels, size):
    """float32 [channels, size, size]; every value is a float32 rounding of a double computed
    with +, -, *, / and sqrt only, so Java reproduces it bit for bit."""
    out = np.zeros((channels, size, size), dtype=np.float32)
    for c in range(channels):
        for i in range(size):
            for j in range(size):
                if kind == "noise":
                    x = ((c * size + i) * size + j) * 2654435761 + seed * 40503
                    x &= 0xFFFFFFFF
                    k = (x >> 8) % 40001 - 20000
                    v = k / 1000.0
                else:  # "blob": a cone around a centre, with exact zeros on a ring nowhere special
                    cy = size * (0.3 + 0.2 * c)
                    cx = size * (0.6 - 0.1 * c)
                    v = 8.0 - 40.0 * math.sqrt((i - cy) ** 2 + (j - cx) ** 2) / size
                out[c, i, j] = np.float32(v)
    return out


def postprocess(low, size, input_hw, out_hw):
    x = torch.from_numpy(low)[None]  # (1, C, L, L), C = 3 like SAM's multimask output
    x = F.interpolate(x, (size, size), mode="bilinear", align_corners=False)
    x = x[..., : input_hw[0], : input_hw[1]]
    x = F.interpolate(x, out_hw, mode="bilinear", align_corners=False)
    return x[0].numpy()


def upsample_cases():
    cases = [
        # name, kind, seed, L, S, inputH, inputW, outH, outW, stored channels
        ("upsample_nonsquare", "noise", 1, 16, 64, 64, 48, 50, 37, 3),
        ("downsample", "noise", 2, 16, 64, 48, 64, 30, 40, 3),
        ("identity_second_stage", "noise", 3, 16, 64, 64, 64, 64, 64, 1),
        ("sam_size_downsample", "noise", 4, 256, 1024, 768, 1024, 120, 160, 1),
        ("sam_ratio_upsample_portrait", "noise", 5, 32, 128, 128, 85, 160, 107, 1),
        ("blob_upsample", "blob", 6, 16, 64, 43, 64, 70, 104, 1),
    ]
    meta = []
    blobs = []
    offset = 0
    for name, kind, seed, L, S, ih, iw, oh, ow, stored in cases:
        low = logits(kind, seed, 3, L)
        out = postprocess(low, S, (ih, iw), (oh, ow))[:stored]
        data = np.ascontiguousarray(out, dtype="<f4").tobytes()
        meta.append(dict(name=name, kind=kind, seed=seed, lowSize=L, inputSize=S, inputHeight=ih,
                         inputWidth=iw, outHeight=oh, outWidth=ow, channels=3,
                         storedChannels=stored, offsetFloats=offset))
        blobs.append(data)
        offset += out.size
    with open(os.path.join(HERE, "upsample_expected.f32"), "wb") as f:
        for b in blobs:
            f.write(b)
    with open(os.path.join(HERE, "upsample_cases.json"), "w") as f:
        json.dump(meta, f, indent=1)


# ---- remove_small_regions, as segment-anything's utils/amg.py ----
def remove_small_regions(mask, area_thresh, mode):
    correct_holes = mode == "holes"
    working_mask = (correct_holes ^ mask).astype(np.uint8)
    n_labels, regions, stats, _ = cv2.connectedComponentsWithStats(working_mask, 8)
    sizes = stats[:, -1][1:]
    small_regions = [i + 1 for i, s in enumerate(sizes) if s < area_thresh]
    if len(small_regions) == 0:
        return mask, False
    fill_labels = [0] + small_regions
    if not correct_holes:
        fill_labels = [i for i in range(n_labels) if i not in fill_labels]
        if len(fill_labels) == 0:
            fill_labels = [int(np.argmax(sizes)) + 1]
    mask = np.isin(regions, fill_labels)
    return mask, True


def rle_counts(mask):
    flat = mask.astype(np.uint8).T.flatten()  # column-major
    counts = []
    cur = 0
    run = 0
    for v in flat:
        if v != cur:
            counts.append(run)
            run = 0
            cur = v
        run += 1
    counts.append(run)
    return counts


def small_region_cases():
    rng = np.random.default_rng(1234)
    masks = []
    for i in range(12):
        h, w = [(30, 40), (41, 23), (17, 64)][i % 3]
        noise = rng.random((h, w)).astype(np.float32)
        k = 3 + 2 * (i % 2)
        smooth = cv2.GaussianBlur(noise, (k, k), 0)
        masks.append((f"random_{i}", smooth > np.quantile(smooth, 0.2 + 0.6 * ((i * 7) % 10) / 10)))
    m = np.ones((20, 30), bool)
    m[0, 0] = False  # the outside background is one pixel: a small "hole"
    m[5:8, 5:8] = False
    masks.append(("outside_background_small", m))
    m = np.zeros((20, 30), bool)
    m[2:4, 2:5] = True  # 6 px
    m[10:12, 20:23] = True  # 6 px, later in raster order
    m[15, 1] = True
    masks.append(("all_islands_small_tie", m))
    m = np.zeros((25, 25), bool)
    m[3:20, 3:20] = True
    m[8:11, 8:11] = False  # hole of 9
    m[22:24, 22:24] = True  # island of 4
    m[0, 24] = True  # island of 1 in the corner
    masks.append(("ring_hole_island", m))
    m = np.zeros((9, 9), bool)
    for d in range(9):
        m[d, d] = True  # a diagonal line: one 8-connected island
    m[0, 8] = True
    masks.append(("diagonal", m))
    lines = []
    for name, mask in masks:
        for area in (4, 25):
            for mode in ("holes", "islands"):
                out, changed = remove_small_regions(mask, area, mode)
                lines.append(dict(name=name, h=mask.shape[0], w=mask.shape[1], area=area, mode=mode,
                                  counts=rle_counts(mask), expected=rle_counts(out),
                                  changed=bool(changed)))
    with open(os.path.join(HERE, "small_regions.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


# ---- build_point_grid and generate_crop_boxes ----
def build_point_grid(n_per_side):
    offset = 1 / (2 * n_per_side)
    points_one_side = np.linspace(offset, 1 - offset, n_per_side)
    points_x = np.tile(points_one_side[None, :], (n_per_side, 1))
    points_y = np.tile(points_one_side[:, None], (1, n_per_side))
    return np.stack([points_x, points_y], axis=-1).reshape(-1, 2)


def generate_crop_boxes(im_size, n_layers, overlap_ratio):
    crop_boxes, layer_idxs = [], []
    im_h, im_w = im_size
    short_side = min(im_h, im_w)
    crop_boxes.append([0, 0, im_w, im_h])
    layer_idxs.append(0)

    def crop_len(orig_len, n_crops, overlap):
        return int(math.ceil((overlap * (n_crops - 1) + orig_len) / n_crops))

    for i_layer in range(n_layers):
        n_crops_per_side = 2 ** (i_layer + 1)
        overlap = int(overlap_ratio * short_side * (2 / n_crops_per_side))
        crop_w = crop_len(im_w, n_crops_per_side, overlap)
        crop_h = crop_len(im_h, n_crops_per_side, overlap)
        crop_box_x0 = [int((crop_w - overlap) * i) for i in range(n_crops_per_side)]
        crop_box_y0 = [int((crop_h - overlap) * i) for i in range(n_crops_per_side)]
        for x0, y0 in product(crop_box_x0, crop_box_y0):
            box = [x0, y0, min(x0 + crop_w, im_w), min(y0 + crop_h, im_h)]
            crop_boxes.append(box)
            layer_idxs.append(i_layer + 1)
    return crop_boxes, layer_idxs


def grids_and_crops():
    grids = {str(n): build_point_grid(n).tolist() for n in (1, 2, 3, 7, 32)}
    crops = []
    for (h, w), layers, ratio in [((1500, 2250), 2, 512 / 1500), ((1024, 683), 3, 512 / 1500),
                                  ((77, 1301), 2, 0.5), ((333, 333), 4, 512 / 1500),
                                  ((10, 7), 2, 0.0)]:
        boxes, idx = generate_crop_boxes((h, w), layers, ratio)
        crops.append(dict(h=h, w=w, layers=layers, ratio=ratio, boxes=boxes, layerIdxs=idx))
    with open(os.path.join(HERE, "grids_and_crops.json"), "w") as f:
        json.dump(dict(grids=grids, crops=crops), f)


if __name__ == "__main__":
    upsample_cases()
    small_region_cases()
    grids_and_crops()
