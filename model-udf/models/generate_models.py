#!/usr/bin/python3
"""Writes the small models maskgen ships: tiny-sam, tiny-sam-torchscript, tiny-clip and
tiny-clip-torchscript (README.md documents the package contracts and what the models compute).

They have no trained weights: every number in them is written here. Run with Debian's python3
(torch 1.13, onnx) from anywhere:

    /usr/bin/python3 model-udf/models/generate_models.py

The same torch/onnx versions write the same bytes.
"""

import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17

# ---------------------------------------------------------------------------------------------
# tiny-sam: a promptable segmenter over colour regions
# ---------------------------------------------------------------------------------------------

SAM_IMAGE_SIZE = 1024
SAM_PIXEL_MEAN = [123.675, 116.28, 103.53]
SAM_PIXEL_STD = [58.395, 57.12, 57.375]
# Neighbouring 4x4 blocks whose colours differ by less than this (Euclidean RGB, 0-1 scale)
# share a region. Level 0 only scores the masks; levels 1-3 give the three masks.
EDGE_TOLERANCES = [0.03, 0.045, 0.065, 0.09]
# Cap on rounds of region labelling, which stops once a round changes no label: flat scenes
# settle after 2-3 rounds, the photos in shared/testdata after 11-23.
MAX_LABEL_ROUNDS = 64
LOGIT_CLAMP = 10.0  # logits saturate at +-10, so 0 lies half way between cell centres


@torch.jit.script
def _scan_min(label: torch.Tensor, runs: torch.Tensor) -> torch.Tensor:
    """Min over joined runs along the last axis, both ways, by log-step doubling: runs[k][..., x]
    is true when cells x .. x + 2^k are all joined."""
    lr = label.shape[2]
    span = 1
    for k in range(runs.shape[0]):  # towards lower indices
        keep = lr - span
        m = torch.where(runs[k, :, :, :keep],
                        torch.minimum(label[:, :, :keep], label[:, :, span:]), label[:, :, :keep])
        label = torch.cat([m, label[:, :, keep:]], dim=2)
        span = span * 2
    span = 1
    for k in range(runs.shape[0]):  # towards higher indices
        keep = lr - span
        m = torch.where(runs[k, :, :, :keep],
                        torch.minimum(label[:, :, span:], label[:, :, :keep]), label[:, :, span:])
        label = torch.cat([label[:, :, :span], m], dim=2)
        span = span * 2
    return label


@torch.jit.script
def _connected_regions(label: torch.Tensor, runs_x: torch.Tensor, runs_y: torch.Tensor,
                       offset: torch.Tensor, max_rounds: int) -> torch.Tensor:
    """Rounds of min-scans in all four directions and pointer jumping (label = label[label])
    until no label changes; labels end as the smallest cell index of each connected region."""
    levels = label.shape[0]
    lr = label.shape[1]
    for _ in range(max_rounds):
        new = _scan_min(label, runs_x)
        new = _scan_min(new.transpose(1, 2), runs_y).transpose(1, 2)
        flat = new.reshape(levels, lr * lr)
        index = (flat + offset).reshape(-1).to(torch.int64)
        new = torch.index_select(flat.reshape(-1), 0, index).reshape(levels, lr, lr)
        if bool(torch.all(new == label)):
            break
        label = new
    return label


def _doubling_runs(join):
    """[K, levels, rows, n] where [k, l, r, x]: cells x .. x + 2^k of row r all joined at level
    l (padded with false)."""
    n = join.shape[-1]
    runs = [join]
    span = 1
    while 2 * span <= n:
        r = runs[-1]
        runs.append(r[:, :, :-span] & r[:, :, span:])
        span *= 2
    padded = [torch.cat([r, torch.zeros_like(join[:, :, : n - r.shape[-1]])], dim=2)
              for r in runs]
    return torch.stack(padded, dim=0)


class TinySamEncoder(torch.nn.Module):
    """image [1,3,S,S] (normalised, zero-padded) -> regions [1,4,S/4,S/4] and region_areas
    [1,4,S/4,S/4].

    Each 4x4 block of the input takes the colour of its median pixel. For each edge tolerance,
    blocks are joined to neighbours whose colour differs by less than it; `regions` labels each
    block with the smallest block index of its connected region (-1 in the padding), and
    `region_areas` holds the region's size in blocks (0 in the padding).
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(SAM_PIXEL_MEAN).view(1, 3, 1, 1) / 255.0)
        self.register_buffer("std", torch.tensor(SAM_PIXEL_STD).view(1, 3, 1, 1) / 255.0)
        self.register_buffer("edge_t2", (torch.tensor(EDGE_TOLERANCES) ** 2).view(-1, 1, 1))

    def forward(self, image):
        lr = image.shape[-1] // 4
        cells = lr * lr
        levels = len(EDGE_TOLERANCES)
        # Padding is exactly 0 after normalisation; a real 8-bit pixel never is (the mean is
        # not an integer), so this tells the image from the padding.
        valid = (image.abs().sum(dim=1, keepdim=True) > 0).to(torch.float32)
        valid = F.avg_pool2d(valid, 4).reshape(lr, lr) >= 0.5
        rgb = image * self.std + self.mean
        blocks = rgb.reshape(3, lr, 4, lr, 4).permute(0, 1, 3, 2, 4).reshape(3, lr, lr, 16)
        # Colour of each block: the colour of its median pixel in the order of the 24-bit RGB
        # value. A block more than half covered by one flat colour takes exactly that colour,
        # so region borders fall on the majority side of each block.
        code = torch.round(blocks * 255.0)
        key = code[0] * 65536.0 + code[1] * 256.0 + code[2]  # exact in float32
        median_at = torch.topk(key, 8, dim=-1).indices[..., 7:8]  # [lr, lr, 1]
        feats = torch.gather(blocks, 3, median_at.unsqueeze(0).expand(3, lr, lr, 1))
        feats = feats.reshape(3, lr, lr)

        # Connected regions: blocks joined to neighbours of similar colour.
        dx = ((feats[:, :, 1:] - feats[:, :, :-1]) ** 2).sum(dim=0, keepdim=True)
        dy = ((feats[:, 1:, :] - feats[:, :-1, :]) ** 2).sum(dim=0, keepdim=True)
        join_x = (dx < self.edge_t2) & valid[:, 1:] & valid[:, :-1]  # [levels, lr, lr-1]
        join_y = (dy < self.edge_t2) & valid[1:, :] & valid[:-1, :]  # [levels, lr-1, lr]
        runs_x = _doubling_runs(join_x)
        runs_y = _doubling_runs(join_y.transpose(1, 2))
        index = torch.cumsum((feats[0] == feats[0]).to(torch.int32).reshape(-1), 0) - 1
        label = index.reshape(1, lr, lr).repeat(levels, 1, 1)
        offset = (torch.arange(levels, dtype=torch.int32) * cells).reshape(levels, 1)
        label = _connected_regions(label, runs_x, runs_y, offset, MAX_LABEL_ROUNDS)

        flat = label.reshape(levels, cells).to(torch.int64)
        # (ones and zeros derived from data, so the exporter does not store them as constants)
        ones = (flat >= 0).to(torch.float32)
        counts = (ones * 0.0).scatter_add(1, flat, ones)
        areas = torch.gather(counts, 1, flat).reshape(levels, lr, lr)
        regions = torch.where(valid, label.to(torch.float32), torch.tensor(-1.0))
        areas = torch.where(valid, areas, torch.tensor(0.0))
        return regions.unsqueeze(0), areas.unsqueeze(0)


class TinySamDecoder(torch.nn.Module):
    """Region segmenter. Mask m (0..2) is the union of the level m + 1 regions of the
    foreground points; where such a region holds a background point, the point's largest
    region below that holds none takes its place. Low-res logits: +L in the
    mask's core (the same points' level m regions), +0.5 in the rest of the mask, -L outside;
    so SAM's stability score (offset 1) is about the share of the mask in its core. Predicted
    IoU: that share, times 1 - 0.5 / sqrt(mask area in blocks) for the 4x4 quantisation.
    """

    def __init__(self, mask_input: bool):
        super().__init__()
        self.mask_input = mask_input
        step = LOGIT_CLAMP + 0.5
        self.register_buffer("mask_offsets", torch.tensor([0.0, 1.0, 2.0]).view(1, 3, 1, 1) * step)

    def forward(self, regions, region_areas, point_coords, point_labels,
                mask_input=None, has_mask_input=None):
        b = point_coords.shape[0]
        n = point_coords.shape[1]
        levels = regions.shape[1]
        lr = regions.shape[-1]
        cells = lr * lr
        labels = regions.reshape(levels, cells)

        # Region and region area of each point at each level (the 4x4 block holding it).
        cell_xy = torch.clamp(torch.floor(point_coords / 4.0), 0, lr - 1).to(torch.int64)
        idx = (cell_xy[..., 1] * lr + cell_xy[..., 0]).reshape(-1)  # [B*N]
        key = torch.index_select(labels, 1, idx).reshape(levels, b, n).permute(1, 2, 0)
        key_area = torch.index_select(region_areas.reshape(levels, cells), 1, idx)
        key_area = key_area.reshape(levels, b, n).permute(1, 2, 0)  # [B,N,levels]
        fg = (point_labels == 1).unsqueeze(2) & (key >= 0)  # [B,N,levels]
        bg = (point_labels == 0).unsqueeze(2) & (key >= 0)
        same = key.unsqueeze(2) == key.unsqueeze(1)  # [B,N,N',levels]
        # Regions are equal or disjoint and grow with the level. A foreground point's region
        # stops counting from the first level at which it holds a background point; the masks
        # above take its largest region below (top). A region shared by points counts once.
        fg = fg & ~(same & bg.unsqueeze(1)).any(dim=2)
        order = torch.arange(n)
        earlier = (order.unsqueeze(1) > order.unsqueeze(0)).reshape(1, n, n, 1)
        first = fg & ~(same & fg.unsqueeze(1) & earlier).any(dim=2)
        key = torch.where(first, key, torch.tensor(-2.0))
        top = fg.to(torch.float32).sum(dim=2) - 1.0  # [B,N]; -1: no level
        top_at = torch.clamp(top, min=0.0).to(torch.int64).unsqueeze(2)
        top_first = torch.gather(first, 2, top_at).squeeze(2) & (top >= 0)
        extra = (levels - 1.0 - top) * top_first.to(torch.float32)  # levels the top fills

        # The depth of a block: the number of levels whose mask holds it. Block in mask m
        # (level m + 1) <=> depth >= 3 - m; in its core (level m) <=> depth >= 4 - m.
        member = (labels.reshape(1, 1, levels, cells) == key.unsqueeze(3)).to(torch.float32)
        eff = torch.minimum(torch.arange(levels).reshape(1, 1, levels), top_at)
        counted = torch.gather(key_area * first.to(torch.float32), 2, eff)
        area = (counted * (top >= 0).to(torch.float32).unsqueeze(2)).sum(dim=1)  # [B,levels]
        if self.mask_input:
            # A mask prompt restricts the masks to it.
            use = (has_mask_input > 0.5).reshape(b, 1, 1, 1)
            member = member * ((mask_input.reshape(b, 1, 1, cells) > 0) | ~use).to(torch.float32)
        own = member.sum(dim=2)  # [B,N,cells]
        depth = (own + extra.unsqueeze(2) * torch.clamp(own, max=1.0)).sum(dim=1)
        if self.mask_input:
            need = (levels - torch.arange(levels)).to(torch.float32).reshape(1, levels, 1)
            counts = (depth.unsqueeze(1) >= need).to(torch.float32).sum(dim=2)
            area = torch.where(use.reshape(b, 1), counts, area)
        base = 0.5 + (LOGIT_CLAMP + 0.5) * (depth.reshape(b, 1, lr, lr) - 3.0)
        logits = torch.clamp(base + self.mask_offsets, -LOGIT_CLAMP, LOGIT_CLAMP)  # [B,3,L,L]

        mask_area = torch.clamp(area[:, 1:], min=1.0)
        iou = torch.clamp(area[:, :-1] / mask_area, 0.0, 1.0) * (1.0 - 0.5 / torch.sqrt(mask_area))
        return logits, iou


class _DecoderNoMask(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.decoder = TinySamDecoder(mask_input=False)

    def forward(self, regions, region_areas, point_coords, point_labels):
        return self.decoder(regions, region_areas, point_coords, point_labels)


class _DecoderWithMask(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.decoder = TinySamDecoder(mask_input=True)

    def forward(self, regions, region_areas, point_coords, point_labels, mask_input,
                has_mask_input):
        return self.decoder(regions, region_areas, point_coords, point_labels, mask_input,
                            has_mask_input)


# ---------------------------------------------------------------------------------------------
# tiny-clip: a dual encoder that embeds colour names
# ---------------------------------------------------------------------------------------------

CLIP_IMAGE_SIZE = 224
CLIP_PIXEL_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_PIXEL_STD = [0.26862954, 0.26130258, 0.27577711]
CLIP_CONTEXT = 16
# Named colours, their prototype RGB values (0-255) and the words that mean them.
COLOURS = [
    ("red", [(220, 20, 30), (255, 0, 0), (170, 10, 10)], ["red", "crimson", "scarlet"]),
    ("orange", [(255, 140, 0), (240, 120, 40)], ["orange", "amber"]),
    ("yellow", [(255, 230, 0), (235, 215, 70)], ["yellow", "gold", "golden"]),
    ("green", [(0, 160, 0), (70, 200, 70), (20, 100, 20)], ["green", "lime"]),
    ("cyan", [(0, 230, 230), (60, 200, 210)], ["cyan", "teal", "turquoise", "aqua"]),
    ("blue", [(20, 60, 240), (0, 0, 180), (60, 110, 210)], ["blue", "navy", "azure"]),
    ("purple", [(130, 20, 170), (110, 60, 160)], ["purple", "violet", "lavender"]),
    ("pink", [(255, 110, 180), (240, 20, 240), (250, 170, 200)], ["pink", "magenta", "rose"]),
    ("brown", [(140, 80, 30), (100, 60, 25)], ["brown", "chocolate", "tan"]),
    ("black", [(15, 15, 15)], ["black"]),
    ("white", [(245, 245, 245)], ["white"]),
    ("gray", [(128, 128, 128), (90, 90, 90), (180, 180, 180)], ["gray", "grey", "silver"]),
]
OTHER_WORDS = ["a", "an", "the", "of", "and", "with", "in", "on", "photo", "picture", "image",
               "object", "thing", "something"]
CLIP_DIM = len(COLOURS) + 1  # one axis per colour plus a constant "any" axis
ANY_WEIGHT = 0.05
COLOUR_TEMPERATURE = 0.02  # softmax over -squared distance / T (0-1 RGB scale)
# Pixels this close to the CLIP mean (the fill outside a mask) count for nothing.
FILL_IGNORE = (0.02, 0.06)


class TinyClipImageEncoder(torch.nn.Module):
    """pixel_values [B,3,224,224] (CLIP-normalised) -> [B,13]: the mean over pixels of a soft
    assignment to the named colours, pixels near the CLIP mean ignored, plus a constant axis."""

    def __init__(self):
        super().__init__()
        per = max(len(p) for _, p, _ in COLOURS)
        anchors = []
        for _, protos, _ in COLOURS:
            protos = list(protos) + [protos[-1]] * (per - len(protos))
            anchors.append(protos)
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32) / 255.0)
        self.register_buffer("mean", torch.tensor(CLIP_PIXEL_MEAN).view(1, 3, 1))
        self.register_buffer("std", torch.tensor(CLIP_PIXEL_STD).view(1, 3, 1))

    def forward(self, pixel_values):
        b = pixel_values.shape[0]
        rgb = pixel_values.reshape(b, 3, -1) * self.std + self.mean  # [B,3,P]
        k, a = self.anchors.shape[0], self.anchors.shape[1]
        d2 = torch.zeros(1)
        for c in range(3):
            diff = rgb[:, c].reshape(b, 1, 1, -1) - self.anchors[:, :, c].reshape(1, k, a, 1)
            d2 = d2 + diff * diff
        d2 = d2.amin(dim=2)  # [B,K,P]
        share = torch.softmax(-d2 / COLOUR_TEMPERATURE, dim=1)
        off_mean = torch.sqrt(((rgb - self.mean) ** 2).sum(dim=1, keepdim=True))  # [B,1,P]
        lo, hi = FILL_IGNORE
        weight = torch.clamp((off_mean - lo) / (hi - lo), 0.0, 1.0)
        hist = (share * weight).sum(dim=2) / torch.clamp(weight.sum(dim=2), min=1e-6)
        return torch.cat([hist, torch.full((b, 1), ANY_WEIGHT)], dim=1)


def clip_vocab():
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for _, _, words in COLOURS:
        for w in words:
            vocab[w] = len(vocab)
    for w in OTHER_WORDS:
        vocab[w] = len(vocab)
    return vocab


def clip_token_table(vocab):
    """Token embeddings: a colour word is its colour's axis, any other word (or [UNK]) a small
    step along the constant axis, [PAD] nothing."""
    table = torch.zeros(len(vocab), CLIP_DIM)
    for word, i in vocab.items():
        if word != "[PAD]":
            table[i, CLIP_DIM - 1] = ANY_WEIGHT
    for k, (_, _, words) in enumerate(COLOURS):
        for w in words:
            table[vocab[w], k] = 1.0
    return table


class TinyClipTextEncoder(torch.nn.Module):
    """input_ids [B,16] int64 (and attention_mask [B,16] int64 when declared) -> [B,13]: the sum
    of the token embeddings."""

    def __init__(self, table, attention_mask: bool):
        super().__init__()
        self.attention_mask = attention_mask
        self.register_buffer("table", table)

    def forward(self, input_ids, attention_mask=None):
        emb = F.embedding(input_ids, self.table)  # [B,T,D]
        if self.attention_mask:
            emb = emb * attention_mask.unsqueeze(2).to(torch.float32)
        return emb.sum(dim=1)


class _TextWithMask(torch.nn.Module):
    def __init__(self, table):
        super().__init__()
        self.encoder = TinyClipTextEncoder(table, attention_mask=True)

    def forward(self, input_ids, attention_mask):
        return self.encoder(input_ids, attention_mask)


def tokenizer_json(vocab):
    """A HuggingFace tokenizer.json: WordLevel over lower-cased, whitespace-split words."""

    def special(content, i):
        return {"id": i, "content": content, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": False, "special": True}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special("[PAD]", 0), special("[UNK]", 1)],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
    }


# ---------------------------------------------------------------------------------------------
# Writing the packages
# ---------------------------------------------------------------------------------------------


def synthetic_scene():
    """A 480x640 RGB scene of flat shapes, prepared like the Java side does (scale to 1024,
    normalise, pad): the example input for tracing and the self-checks."""
    img = np.zeros((480, 640, 3), np.float32)
    img[:] = (70, 90, 160)
    img[40:200, 60:260] = (220, 30, 40)
    img[250:420, 300:600] = (240, 220, 60)
    yy, xx = np.mgrid[0:480, 0:640]
    img[(yy - 300) ** 2 + (xx - 150) ** 2 < 80 ** 2] = (30, 170, 60)
    big = torch.from_numpy(img).permute(2, 0, 1).unsqueeze(0)
    big = F.interpolate(big, size=(768, 1024), mode="nearest")
    mean = torch.tensor(SAM_PIXEL_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(SAM_PIXEL_STD).view(1, 3, 1, 1)
    x = torch.zeros(1, 3, SAM_IMAGE_SIZE, SAM_IMAGE_SIZE)
    x[:, :, :768, :] = (big - mean) / std
    return x


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def export_onnx(module, args, path, input_names, output_names, dynamic_axes, fold=True):
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=fold)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    got = [i.name for i in model.graph.input]
    assert got == input_names, (path, got)


def export_torchscript(module, args, path):
    traced = torch.jit.trace(module, args, check_trace=False)
    traced.save(path)
    return torch.jit.load(path)


def write_tiny_sam():
    encoder = TinySamEncoder().eval()
    image = synthetic_scene()
    with torch.no_grad():
        regions, areas = encoder(image)
    coords = torch.tensor([[[150.0, 200.0], [600.0, 500.0]], [[700.0, 100.0], [0.0, 0.0]]])
    labels = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    no_mask = _DecoderNoMask().eval()
    with_mask = _DecoderWithMask().eval()
    mask_in = torch.zeros(2, 1, 256, 256)
    has_mask = torch.zeros(2)
    common = {"image_size": SAM_IMAGE_SIZE, "pixel_mean": SAM_PIXEL_MEAN,
              "pixel_std": SAM_PIXEL_STD, "mask_threshold": 0.0,
              "description": "maskgen's built-in segmenter: colour regions, no trained weights;"
                             " written by generate_models.py (see README.md)"}
    points_axes = {"point_coords": {0: "batch", 1: "points"},
                   "point_labels": {0: "batch", 1: "points"},
                   "masks": {0: "batch"}, "iou_predictions": {0: "batch"}}

    out = os.path.join(HERE, "tiny-sam")
    os.makedirs(out, exist_ok=True)
    export_onnx(encoder, (image,), os.path.join(out, "encoder.onnx"), ["image"],
                ["regions", "region_areas"], None, fold=False)
    export_onnx(no_mask, (regions, areas, coords, labels), os.path.join(out, "decoder.onnx"),
                ["regions", "region_areas", "point_coords", "point_labels"],
                ["masks", "iou_predictions"], points_axes)
    write_json(os.path.join(out, "model.json"),
               dict({"name": "tiny-sam", "engine": "OnnxRuntime", "encoder": "encoder.onnx",
                     "decoder": "decoder.onnx"}, **common))

    out = os.path.join(HERE, "tiny-sam-torchscript")
    os.makedirs(out, exist_ok=True)
    ts_encoder = export_torchscript(encoder, (image,), os.path.join(out, "encoder.pt"))
    ts_decoder = export_torchscript(with_mask, (regions, areas, coords, labels, mask_in, has_mask),
                                    os.path.join(out, "decoder.pt"))
    write_json(os.path.join(out, "model.json"),
               dict({"name": "tiny-sam-torchscript", "engine": "PyTorch",
                     "encoder": "encoder.pt", "decoder": "decoder.pt",
                     "encoder_outputs": ["regions", "region_areas"],
                     "decoder_mask_input": True}, **common))

    # Self-check: the saved TorchScript reproduces the module, for other batch/point counts too.
    with torch.no_grad():
        r2, a2 = ts_encoder(image)
        assert torch.equal(r2, regions) and torch.equal(a2, areas)
        c3 = torch.tensor([[[150.0, 200.0]], [[700.0, 100.0]], [[900.0, 900.0]]])
        l3 = torch.ones(3, 1)
        want = no_mask(regions, areas, c3, l3)
        got = ts_decoder(regions, areas, c3, l3, torch.zeros(3, 1, 256, 256), torch.zeros(3))
        assert all(torch.equal(w, g) for w, g in zip(want, got))
        # The red rectangle: x 60..260, y 40..200 in 640x480, scale 1.6.
        logits, iou = want
        inside = logits[0, 0] > 0
        expect = torch.zeros(256, 256, dtype=torch.bool)
        expect[16:80, 24:104] = True
        assert torch.equal(inside, expect), "red rectangle mask"
        assert iou[0, 0] > 0.9, iou


def write_tiny_clip():
    vocab = clip_vocab()
    table = clip_token_table(vocab)
    image_encoder = TinyClipImageEncoder().eval()
    text_plain = TinyClipTextEncoder(table, attention_mask=False).eval()
    text_masked = _TextWithMask(table).eval()
    pixels = torch.zeros(2, 3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE)
    ids = torch.zeros(2, CLIP_CONTEXT, dtype=torch.int64)
    ids[0, 0] = vocab["red"]
    mask = (ids != 0).to(torch.int64)
    common = {"image_size": CLIP_IMAGE_SIZE, "pixel_mean": CLIP_PIXEL_MEAN,
              "pixel_std": CLIP_PIXEL_STD, "context_length": CLIP_CONTEXT, "pad_token_id": 0,
              "tokenizer": "tokenizer.json",
              "description": "maskgen's built-in CLIP: embeds colour names, no trained weights;"
                             " written by generate_models.py (see README.md)"}
    tok = tokenizer_json(vocab)

    out = os.path.join(HERE, "tiny-clip")
    os.makedirs(out, exist_ok=True)
    export_onnx(image_encoder, (pixels,), os.path.join(out, "image_encoder.onnx"),
                ["pixel_values"], ["image_embeds"],
                {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}})
    export_onnx(text_plain, (ids,), os.path.join(out, "text_encoder.onnx"), ["input_ids"],
                ["text_embeds"], {"input_ids": {0: "batch"}, "text_embeds": {0: "batch"}})
    write_json(os.path.join(out, "tokenizer.json"), tok)
    write_json(os.path.join(out, "clip.json"),
               dict({"name": "tiny-clip", "engine": "OnnxRuntime",
                     "image_encoder": "image_encoder.onnx",
                     "text_encoder": "text_encoder.onnx"}, **common))

    out = os.path.join(HERE, "tiny-clip-torchscript")
    os.makedirs(out, exist_ok=True)
    ts_image = export_torchscript(image_encoder, (pixels,), os.path.join(out, "image_encoder.pt"))
    ts_text = export_torchscript(text_masked, (ids, mask), os.path.join(out, "text_encoder.pt"))
    write_json(os.path.join(out, "tokenizer.json"), tok)
    write_json(os.path.join(out, "clip.json"),
               dict({"name": "tiny-clip-torchscript", "engine": "PyTorch",
                     "image_encoder": "image_encoder.pt", "text_encoder": "text_encoder.pt",
                     "text_attention_mask": True}, **common))

    # Self-check: a red patch is nearest to "red" among all colour words.
    with torch.no_grad():
        red = torch.zeros(1, 3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE)
        for c, v in enumerate((200, 30, 40)):
            red[0, c, 50:170, 50:170] = (v / 255.0 - CLIP_PIXEL_MEAN[c]) / CLIP_PIXEL_STD[c]
        img = F.normalize(ts_image(red), dim=1)
        ids = torch.zeros(len(COLOURS), CLIP_CONTEXT, dtype=torch.int64)
        for k, (name, _, _) in enumerate(COLOURS):
            ids[k, 0] = vocab[name]
        txt = F.normalize(ts_text(ids, (ids != 0).to(torch.int64)), dim=1)
        assert torch.equal(txt, F.normalize(text_plain(ids), dim=1))
        sims = (txt @ img.t()).reshape(-1)
        assert int(sims.argmax()) == 0, sims


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    write_tiny_sam()
    write_tiny_clip()


if __name__ == "__main__":
    main()
