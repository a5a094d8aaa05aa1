#!/usr/bin/env python3
"""Parity of maskgen's SAM path with the reference segment_anything code.

Builds a reduced-size SAM (the real architecture with a small ViT encoder, random weights, fixed
seed) with `segment_anything.build_sam._build_sam`, saves its state dict, exports it with
`export_sam.py --model-type custom`, and compares on photos:

  generate  `bin/maskgen generate` (read back with `bin/maskgen export --format sa1b`) against
            SamAutomaticMaskGenerator with every candidate kept, without and with crop layers:
            same number of masks in the same order, mask IoU >= 0.99 for >= 99% of masks,
            predicted IoU and stability score within 1e-4.
  predict   `bin/maskgen predict` against SamPredictor.predict for points, a box and points +
            box, multimask on and off: low-resolution logits within 1e-3, scores within 1e-4,
            masks equal on >= 99.9% of pixels.

Run from anywhere with Debian's python3-torch (1.13), python3-torchvision, python3-onnx,
python3-pil and the reference code beside the repository (../shared/reference/upstream, or
$MASKGEN_REFERENCE):

    /usr/bin/python3 model-udf/models/export/parity/sam_parity.py

Prints the worst differences of every check and ends with "N passed, M failed"; exits 1 on any
failure. --keep DIR keeps the model package, photos and datasets there.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
EXPORT_DIR = os.path.join(REPO, "model-udf", "models", "export")
REFERENCE = os.environ.get(
    "MASKGEN_REFERENCE", os.path.join(os.path.dirname(REPO), "shared", "reference", "upstream"))
PHOTOS = os.environ.get(
    "MASKGEN_TEST_PHOTOS", os.path.join(os.path.dirname(REPO), "shared", "testdata", "photos"))
MASKGEN = os.path.join(REPO, "bin", "maskgen")

# The reduced encoder: SAM's ViT with 2 blocks of width 64 (vit_b: 12 of 768).
ENCODER = {"embed_dim": 64, "depth": 2, "num_heads": 2, "global_attn_indexes": [1]}
# A 4 x 4 grid (crop layers: 2 x 2 per crop) in batches of 16 keeps time and memory small: the
# reference's mask decoder and upscaling work on 64 x 64 x 256 and 1024 x 1024 per candidate.
POINTS_PER_SIDE = 4
POINTS_PER_BATCH = 16
DOWNSCALE = 2
PHOTO_SIDE = 320
KEEP_ALL = ["--pred-iou-thresh", "0", "--stability-score-thresh", "0", "--box-nms-thresh", "1.0"]
# One JVM at a time, with a small heap: the suite runs beside other work on CI machines.
JAVA_ENV = dict(os.environ, MASKGEN_JAVA_OPTS=os.environ.get("MASKGEN_JAVA_OPTS", "-Xmx2g"))


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail):
        print(("PASS " if ok else "FAIL ") + name + ": " + detail, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def run(cmd, **kw):
    t = time.time()
    kw.setdefault("env", JAVA_ENV)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        sys.stdout.write(p.stdout[-4000:])
        raise SystemExit("command failed (%d): %s" % (p.returncode, " ".join(cmd)))
    return p.stdout, time.time() - t


def build_reference_model(seed):
    """The reduced SAM with random weights. Parameters the reference initialises to zero (the
    encoder's absolute and relative position embeddings) get random values too, the prompt
    encoder's random frequencies are scaled up, so that positions matter in every output, and the
    hypernetworks' last layers are scaled so that mask logits span about +-10, as a trained
    SAM's do (random ones stay within +-0.3, where any error would look small)."""
    import torch
    from segment_anything.build_sam import _build_sam
    torch.manual_seed(seed)
    sam = _build_sam(ENCODER["embed_dim"], ENCODER["depth"], ENCODER["num_heads"],
                     ENCODER["global_attn_indexes"])
    with torch.no_grad():
        for name, p in sam.named_parameters():
            if torch.count_nonzero(p) == 0:
                p.normal_(0, 0.02)
        sam.prompt_encoder.pe_layer.positional_encoding_gaussian_matrix.mul_(8.0)
        for mlp in sam.mask_decoder.output_hypernetworks_mlps:
            mlp.layers[-1].weight.mul_(40.0)
            mlp.layers[-1].bias.mul_(40.0)
    return sam.eval()


def rle_decode(counts, h, w):
    """A COCO compressed RLE string (column-major runs) to an h x w bool array."""
    runs = []
    s = counts.encode("ascii")
    p = 0
    while p < len(s):
        x = 0
        k = 0
        more = True
        while more:
            c = s[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(runs) > 2:
            x += runs[-2]
        runs.append(x)
    flat = np.zeros(h * w, dtype=bool)
    pos = 0
    val = False
    for r in runs:
        flat[pos:pos + r] = val
        pos += r
        val = not val
    return flat.reshape(w, h).T


def mask_iou(a, b):
    union = np.logical_or(a, b).sum()
    if union == 0:
        return 1.0
    return np.logical_and(a, b).sum() / union


def prepare_photos(out_dir, names):
    """The photos resized so the longest side is PHOTO_SIDE, as PNG (no EXIF orientation)."""
    from PIL import Image
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for n in names:
        im = Image.open(os.path.join(PHOTOS, n)).convert("RGB")
        s = PHOTO_SIDE / max(im.size)
        im = im.resize((round(im.size[0] * s), round(im.size[1] * s)), Image.BILINEAR)
        path = os.path.join(out_dir, os.path.splitext(n)[0] + ".png")
        im.save(path)
        paths.append(path)
    return paths


def load_rgb(path):
    from PIL import Image
    return np.array(Image.open(path).convert("RGB"))


# Masks of a random model are spread over the image, so the crop-edge filter removes every mask of
# a zoomed crop; at a higher mask threshold some are small enough to stay.
CROPS_MASK_THRESHOLD = 4.0


def with_mask_threshold(package, threshold):
    """A copy of the package (links to its ONNX files) with another mask_threshold."""
    out = package + "-threshold%g" % threshold
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(package, "model.json")) as f:
        manifest = json.load(f)
    manifest["mask_threshold"] = threshold
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    for name in (manifest["encoder"], manifest["decoder"]):
        if not os.path.exists(os.path.join(out, name)):
            os.symlink(os.path.join(package, name), os.path.join(out, name))
    return out


def compare_generate(checks, sam, photos, work, package, crop_layers):
    from segment_anything import SamAutomaticMaskGenerator
    label = "generate crop_n_layers=%d" % crop_layers
    if crop_layers:
        package = with_mask_threshold(package, CROPS_MASK_THRESHOLD)
        sam.mask_threshold = CROPS_MASK_THRESHOLD
        label += " mask_threshold=%g" % CROPS_MASK_THRESHOLD
    ds = os.path.join(work, "dataset-crops%d" % crop_layers)
    exported = os.path.join(work, "sa1b-crops%d" % crop_layers)
    _, t_gen = run([MASKGEN, "generate", "--input", os.path.dirname(photos[0]), "--output", ds,
                    "--model", package, "--device", "cpu", "--master", "local[2]",
                    "--no-progress", "--clip", "none",
                    "--points-per-side", str(POINTS_PER_SIDE),
                    "--points-per-batch", str(POINTS_PER_BATCH),
                    "--crop-n-points-downscale-factor", str(DOWNSCALE),
                    "--crop-n-layers", str(crop_layers), "--crop-nms-thresh", "1.0"] + KEEP_ALL)
    run([MASKGEN, "export", "--dataset", ds, "--output", exported, "--no-progress"])
    gen = SamAutomaticMaskGenerator(sam, points_per_side=POINTS_PER_SIDE,
                                    points_per_batch=POINTS_PER_BATCH, pred_iou_thresh=0,
                                    stability_score_thresh=0, box_nms_thresh=1.0,
                                    crop_n_layers=crop_layers, crop_nms_thresh=1.0,
                                    crop_n_points_downscale_factor=DOWNSCALE,
                                    output_mode="binary_mask")
    by_file = {}
    for f in glob.glob(os.path.join(exported, "*.json")):
        with open(f) as fh:
            d = json.load(fh)
        by_file[os.path.basename(d["image"]["file_name"])] = d
    t_ref = 0.0
    for photo in photos:
        name = os.path.basename(photo)
        ours = by_file.get(name)
        if ours is None:
            checks.check(label + " " + name, False, "not in the export: %s" % sorted(by_file))
            continue
        t = time.time()
        ref = gen.generate(load_rgb(photo))
        t_ref += time.time() - t
        anns = ours["annotations"]
        same_count = len(anns) == len(ref)
        h, w = ours["image"]["height"], ours["image"]["width"]
        in_crops = sum(1 for r in ref if list(r["crop_box"]) != [0, 0, w, h])
        checks.check("%s %s: mask count" % (label, name), same_count,
                     "maskgen %d, reference %d (%d from zoomed crops)"
                     % (len(anns), len(ref), in_crops))
        if not same_count or not ref:
            continue
        ious = []
        d_iou = []
        d_stab = []
        d_point = []
        for a, r in zip(anns, ref):
            seg = a["segmentation"]
            m = rle_decode(seg["counts"], seg["size"][0], seg["size"][1])
            ious.append(mask_iou(m, r["segmentation"]))
            d_iou.append(abs(a["predicted_iou"] - r["predicted_iou"]))
            d_stab.append(abs(a["stability_score"] - r["stability_score"]))
            d_point.append(np.abs(np.array(a["point_coords"]) - np.array(r["point_coords"])).max())
        ious = np.array(ious)
        good = float((ious >= 0.99).mean())
        checks.check("%s %s: mask IoU" % (label, name), good >= 0.99,
                     "%.2f%% of %d masks at IoU >= 0.99, worst IoU %.5f, mean %.6f"
                     % (100 * good, len(ious), ious.min(), ious.mean()))
        checks.check("%s %s: predicted IoU" % (label, name), max(d_iou) <= 1e-4,
                     "worst difference %.2e" % max(d_iou))
        checks.check("%s %s: stability score" % (label, name), max(d_stab) <= 1e-4,
                     "worst difference %.2e" % max(d_stab))
        checks.check("%s %s: order (prompt points)" % (label, name), max(d_point) <= 1e-6,
                     "worst point difference %.2e" % max(d_point))
    print("  %s: maskgen generate %.1f s (JVM, Spark start and all photos), reference %.1f s"
          % (label, t_gen, t_ref), flush=True)
    sam.mask_threshold = 0.0


PROMPTS = [
    # (name, points as fractions of the image, labels, box as fractions)
    ("points", [(0.45, 0.5), (0.8, 0.2)], [1, 0], None),
    ("box", [], [], (0.2, 0.25, 0.7, 0.8)),
    ("points+box", [(0.4, 0.55)], [1], (0.15, 0.3, 0.75, 0.9)),
]


def compare_predict(checks, sam, photos, work, package):
    """Every prompt case on the first photo, points + box on the others (one JVM per case)."""
    from segment_anything import SamPredictor
    predictor = SamPredictor(sam)
    for k, photo in enumerate(photos):
        name = os.path.basename(photo)
        image = load_rgb(photo)
        h, w = image.shape[:2]
        predictor.set_image(image)
        for case, pts, labels, box in PROMPTS if k == 0 else PROMPTS[-1:]:
            coords = np.array([(x * w, y * h) for x, y in pts], dtype=np.float64).round(1)
            box_px = None if box is None else np.array(
                [box[0] * w, box[1] * h, box[2] * w, box[3] * h]).round(1)
            for multimask in (True, False):
                label = "predict %s %s multimask=%s" % (name, case, multimask)
                out = os.path.join(work, "predict", "%s-%s-%s" % (name, case, multimask))
                cmd = [MASKGEN, "predict", "--model", package, "--image", photo, "--device", "cpu",
                       "--output", out + ".json", "--logits", out + ".npy"]
                for (x, y), l in zip(coords, labels):
                    cmd += ["--point", "%s,%s,%d" % (x, y, l)]
                if box_px is not None:
                    cmd += ["--box", ",".join(str(v) for v in box_px)]
                if multimask:
                    cmd.append("--multimask")
                run(cmd)
                masks, scores, low = predictor.predict(
                    point_coords=coords if len(pts) else None,
                    point_labels=np.array(labels) if len(pts) else None,
                    box=box_px, multimask_output=multimask)
                logits = np.load(out + ".npy")
                with open(out + ".json") as f:
                    ours = json.load(f)
                if logits.shape != low.shape or len(ours["masks"]) != len(masks):
                    checks.check(label, False, "shapes: logits %s vs %s, %d vs %d masks" % (
                        logits.shape, low.shape, len(ours["masks"]), len(masks)))
                    continue
                d_logit = float(np.abs(logits - low).max())
                d_score = max(abs(m["predicted_iou"] - float(s))
                              for m, s in zip(ours["masks"], scores))
                agree = min(float((rle_decode(m["segmentation"]["counts"], h, w) == r).mean())
                            for m, r in zip(ours["masks"], masks))
                ok = d_logit <= 1e-3 and d_score <= 1e-4 and agree >= 0.999
                checks.check(label, ok,
                             "logits worst %.2e (range %.1f..%.1f), scores worst %.2e, "
                             "pixels equal %.4f%%" % (d_logit, low.min(), low.max(), d_score,
                                                       100 * agree))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="folder to keep the model, photos and datasets in")
    parser.add_argument("--photos", default="dog.jpg,groceries.jpg")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checks", default="predict,generate,crops",
                        help="which comparisons to run (default: %(default)s)")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(REFERENCE, "segment_anything")):
        raise SystemExit("no reference code at %s (set MASKGEN_REFERENCE)" % REFERENCE)
    sys.path[:0] = [os.path.join(REFERENCE, "compat"), REFERENCE]
    import torch

    work = args.keep or tempfile.mkdtemp(prefix="maskgen-sam-parity-")
    os.makedirs(work, exist_ok=True)
    started = time.time()
    try:
        sam = build_reference_model(args.seed)
        checkpoint = os.path.join(work, "sam-reduced.pth")
        torch.save(sam.state_dict(), checkpoint)
        package = os.path.join(work, "sam-reduced")
        _, t_export = run([sys.executable, os.path.join(EXPORT_DIR, "export_sam.py"),
                           "--model-type", "custom", "--custom-encoder", json.dumps(ENCODER),
                           "--checkpoint", checkpoint, "--out", package,
                           "--name", "sam-reduced"], env=dict(
                               os.environ, PYTHONPATH=os.pathsep.join(
                                   [os.path.join(REFERENCE, "compat"), REFERENCE])))
        print("  export_sam.py: %.1f s" % t_export, flush=True)
        photos = prepare_photos(os.path.join(work, "photos"), args.photos.split(","))
        checks = Checks()
        wanted = set(args.checks.split(","))
        if "predict" in wanted:
            compare_predict(checks, sam, photos, work, package)
        if "generate" in wanted:
            compare_generate(checks, sam, photos, work, package, 0)
        if "crops" in wanted:
            compare_generate(checks, sam, photos, work, package, 1)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("SAM parity: %d passed, %d failed (%.0f s)" % (checks.passed, checks.failed,
                                                          time.time() - started))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
