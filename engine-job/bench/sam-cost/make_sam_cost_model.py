#!/usr/bin/python3
"""Writes a COST STAND-IN for SAM ViT-B: a maskgen segmentation package (model.json, encoder.onnx,
decoder.onnx; contract: model-udf/models/README.md) whose networks have Segment Anything
ViT-B's architecture and sizes but random weights. Its masks are meaningless; it exists only
to measure what a real SAM ViT-B costs per image inside maskgen (bin/maskgen bench).

    /usr/bin/python3 engine-job/bench/sam-cost/make_sam_cost_model.py /tmp/sam-cost-vit-b

Run with Debian's python3 (torch 1.13, onnx), as model-udf/models/generate_models.py. The weight
files (~360 MB encoder, ~16 MB decoder) go only to the given folder; never commit them.

Architecture (as segment_anything's build_sam_vit_b, re-implemented here because the package
is not installed):
  encoder: ViT-B/16 on 1024 x 1024 -> 64 x 64 tokens, embed 768, depth 12, 12 heads, MLP 3072,
           qkv bias, LayerNorm eps 1e-6, absolute position embedding, decomposed relative
           position terms (SAM's add_decomposed_rel_pos), windowed attention (window 14, the
           64 x 64 grid padded to 70 x 70) except global attention in blocks 2, 5, 8, 11;
           neck conv 1x1 768->256, LayerNorm2d, conv 3x3 256->256, LayerNorm2d
           -> image_embeddings [1, 256, 64, 64]
  decoder: SAM's prompt encoder for points (random Fourier position encoding, 128 features;
           point / not-a-point embeddings; SAM's padding point appended to each prompt, as
           SamPredictor does without a box; no mask prompt -> no_mask_embed) and mask decoder
           (two-way transformer depth 2, dim 256, 8 heads, MLP 2048, attention downsample 2;
           4 mask tokens + IoU token; output upscaling 2 x ConvTranspose to 256 x 256;
           hypernetwork MLPs; IoU head depth 3, hidden 256)
           inputs image_embeddings, point_coords [B,N,2], point_labels [B,N]
           -> masks [B,3,256,256] (multimask tokens 1..3), iou_predictions [B,3]
"""

import argparse
import json
import math
import os

import onnx
import torch
import torch.nn.functional as F
from torch import nn

OPSET = 17  # as model-udf/models/generate_models.py
SEED = 20240601
IMAGE_SIZE = 1024
PIXEL_MEAN = [123.675, 116.28, 103.53]
PIXEL_STD = [58.395, 57.12, 57.375]

# SAM ViT-B (segment_anything/build_sam.py: build_sam_vit_b)
PATCH = 16
EMBED_DIM = 768
DEPTH = 12
HEADS = 12
MLP_RATIO = 4.0
WINDOW = 14
GLOBAL_ATTN = (2, 5, 8, 11)
PROMPT_DIM = 256


# ---------------------------------------------------------------------------------------------
# Image encoder (segment_anything/modeling/image_encoder.py)
# ---------------------------------------------------------------------------------------------

class LayerNorm2d(nn.Module):
    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


def get_rel_pos(q_size, k_size, rel_pos):
    # q_size == k_size and rel_pos has 2 * size - 1 rows here, so SAM's interpolation is a no-op.
    q_coords = torch.arange(q_size)[:, None] * max(k_size / q_size, 1.0)
    k_coords = torch.arange(k_size)[None, :] * max(q_size / k_size, 1.0)
    relative_coords = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
    return rel_pos[relative_coords.long()]


def add_decomposed_rel_pos(attn, q, rel_pos_h, rel_pos_w, q_size, k_size):
    q_h, q_w = q_size
    k_h, k_w = k_size
    rh = get_rel_pos(q_h, k_h, rel_pos_h)
    rw = get_rel_pos(q_w, k_w, rel_pos_w)
    b, _, dim = q.shape
    r_q = q.reshape(b, q_h, q_w, dim)
    rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, rh)
    rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, rw)
    attn = (attn.view(b, q_h, q_w, k_h, k_w) + rel_h[:, :, :, :, None]
            + rel_w[:, :, :, None, :]).view(b, q_h * q_w, k_h * k_w)
    return attn


class EncoderAttention(nn.Module):
    def __init__(self, dim, num_heads, input_size):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)
        # SAM initialises these to zero; small random values here (same cost, no all-zero tensors).
        self.rel_pos_h = nn.Parameter(torch.randn(2 * input_size[0] - 1, head_dim) * 0.02)
        self.rel_pos_w = nn.Parameter(torch.randn(2 * input_size[1] - 1, head_dim) * 0.02)

    def forward(self, x):
        b, h, w, _ = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.reshape(3, b * self.num_heads, h * w, -1).unbind(0)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = add_decomposed_rel_pos(attn, q, self.rel_pos_h, self.rel_pos_w, (h, w), (h, w))
        attn = attn.softmax(dim=-1)
        x = (attn @ v).view(b, self.num_heads, h, w, -1).permute(0, 2, 3, 1, 4).reshape(b, h, w, -1)
        return self.proj(x)


def window_partition(x, window):
    b, h, w, c = x.shape
    pad_h = (window - h % window) % window
    pad_w = (window - w % window) % window
    if pad_h > 0 or pad_w > 0:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    hp, wp = h + pad_h, w + pad_w
    x = x.view(b, hp // window, window, wp // window, window, c)
    windows = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window, window, c)
    return windows, (hp, wp)


def window_unpartition(windows, window, pad_hw, hw):
    hp, wp = pad_hw
    h, w = hw
    b = windows.shape[0] // (hp * wp // window // window)
    x = windows.view(b, hp // window, wp // window, window, window, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(b, hp, wp, -1)
    if hp > h or wp > w:
        x = x[:, :h, :w, :].contiguous()
    return x


class EncoderBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, window, grid):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        size = (window, window) if window > 0 else (grid, grid)
        self.attn = EncoderAttention(dim, num_heads, size)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.window = window

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        if self.window > 0:
            h, w = x.shape[1], x.shape[2]
            x, pad_hw = window_partition(x, self.window)
        x = self.attn(x)
        if self.window > 0:
            x = window_unpartition(x, self.window, pad_hw, (h, w))
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class ImageEncoderViT(nn.Module):
    def __init__(self):
        super().__init__()
        grid = IMAGE_SIZE // PATCH
        self.patch_embed = nn.Conv2d(3, EMBED_DIM, kernel_size=PATCH, stride=PATCH)
        self.pos_embed = nn.Parameter(torch.randn(1, grid, grid, EMBED_DIM) * 0.02)
        self.blocks = nn.ModuleList([
            EncoderBlock(EMBED_DIM, HEADS, MLP_RATIO, 0 if i in GLOBAL_ATTN else WINDOW, grid)
            for i in range(DEPTH)])
        self.neck = nn.Sequential(
            nn.Conv2d(EMBED_DIM, PROMPT_DIM, kernel_size=1, bias=False),
            LayerNorm2d(PROMPT_DIM),
            nn.Conv2d(PROMPT_DIM, PROMPT_DIM, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(PROMPT_DIM))

    def forward(self, image):
        x = self.patch_embed(image).permute(0, 2, 3, 1)  # B, 64, 64, 768
        x = x + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.neck(x.permute(0, 3, 1, 2))


# ---------------------------------------------------------------------------------------------
# Prompt encoder + mask decoder (segment_anything/modeling/{prompt_encoder,mask_decoder,
# transformer}.py), batched as model-udf/models/export/export_sam.py's SamDecoder
# ---------------------------------------------------------------------------------------------

class MLP(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, num_layers):
        super().__init__()
        dims = [input_dim] + [hidden_dim] * (num_layers - 1)
        outs = [hidden_dim] * (num_layers - 1) + [output_dim]
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip(dims, outs))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x)) if i < len(self.layers) - 1 else layer(x)
        return x


class Attention(nn.Module):
    def __init__(self, dim, num_heads, downsample_rate=1):
        super().__init__()
        self.internal_dim = dim // downsample_rate
        self.num_heads = num_heads
        self.q_proj = nn.Linear(dim, self.internal_dim)
        self.k_proj = nn.Linear(dim, self.internal_dim)
        self.v_proj = nn.Linear(dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, dim)

    def _separate(self, x):
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def forward(self, q, k, v):
        q = self._separate(self.q_proj(q))
        k = self._separate(self.k_proj(k))
        v = self._separate(self.v_proj(v))
        c_per_head = q.shape[-1]
        attn = (q @ k.permute(0, 1, 3, 2)) / math.sqrt(c_per_head)
        out = torch.softmax(attn, dim=-1) @ v
        b, h, n, c = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, n, h * c))


class TwoWayAttentionBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_dim, skip_first_layer_pe):
        super().__init__()
        self.self_attn = Attention(dim, num_heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn_token_to_image = Attention(dim, num_heads, downsample_rate=2)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.ReLU(), nn.Linear(mlp_dim, dim))
        self.norm3 = nn.LayerNorm(dim)
        self.norm4 = nn.LayerNorm(dim)
        self.cross_attn_image_to_token = Attention(dim, num_heads, downsample_rate=2)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(self, queries, keys, query_pe, key_pe):
        if self.skip_first_layer_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        q = queries + query_pe
        k = keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(q, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        q = queries + query_pe
        k = keys + key_pe
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, q, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, depth=2, dim=PROMPT_DIM, num_heads=8, mlp_dim=2048):
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayAttentionBlock(dim, num_heads, mlp_dim, skip_first_layer_pe=(i == 0))
            for i in range(depth))
        self.final_attn_token_to_image = Attention(dim, num_heads, downsample_rate=2)
        self.norm_final_attn = nn.LayerNorm(dim)

    def forward(self, image_embedding, image_pe, point_embedding):
        keys = image_embedding.flatten(2).permute(0, 2, 1)
        image_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries = point_embedding
        for layer in self.layers:
            queries, keys = layer(queries, keys, point_embedding, image_pe)
        q = queries + point_embedding
        k = keys + image_pe
        queries = self.norm_final_attn(queries + self.final_attn_token_to_image(q, k, keys))
        return queries, keys


class SamCostDecoder(nn.Module):
    """Prompt encoder (points only) + mask decoder, B prompts of N points on one embedding."""

    def __init__(self):
        super().__init__()
        grid = IMAGE_SIZE // PATCH
        self.grid = grid
        # PromptEncoder
        self.register_buffer("pe_gaussian", torch.randn(2, PROMPT_DIM // 2))
        self.point_embeddings = nn.ModuleList(nn.Embedding(1, PROMPT_DIM) for _ in range(4))
        self.not_a_point_embed = nn.Embedding(1, PROMPT_DIM)
        self.no_mask_embed = nn.Embedding(1, PROMPT_DIM)
        # MaskDecoder
        self.num_mask_tokens = 4  # 3 multimask outputs + 1
        self.iou_token = nn.Embedding(1, PROMPT_DIM)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, PROMPT_DIM)
        self.transformer = TwoWayTransformer()
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose2d(PROMPT_DIM, PROMPT_DIM // 4, kernel_size=2, stride=2),
            LayerNorm2d(PROMPT_DIM // 4),
            nn.GELU(),
            nn.ConvTranspose2d(PROMPT_DIM // 4, PROMPT_DIM // 8, kernel_size=2, stride=2),
            nn.GELU())
        self.output_hypernetworks_mlps = nn.ModuleList(
            MLP(PROMPT_DIM, PROMPT_DIM, PROMPT_DIM // 8, 3) for _ in range(self.num_mask_tokens))
        self.iou_prediction_head = MLP(PROMPT_DIM, 256, self.num_mask_tokens, 3)

    def _pe_encoding(self, coords):
        coords = 2 * coords - 1
        coords = coords @ self.pe_gaussian
        coords = 2 * math.pi * coords
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)

    def _dense_pe(self):
        ones = torch.ones(self.grid, self.grid)
        y = (ones.cumsum(dim=0) - 0.5) / self.grid
        x = (ones.cumsum(dim=1) - 0.5) / self.grid
        pe = self._pe_encoding(torch.stack([x, y], dim=-1))
        return pe.permute(2, 0, 1).unsqueeze(0)  # 1, 256, 64, 64

    def _embed_points(self, coords, labels):
        # SAM's padding point (label -1) at the end of every prompt, as SamPredictor without a box.
        coords = torch.cat([coords, coords[:, :1, :] * 0.0], dim=1)
        labels = torch.cat([labels, labels[:, :1] * 0.0 - 1.0], dim=1)
        coords = (coords + 0.5) / IMAGE_SIZE
        emb = self._pe_encoding(coords)
        labels = labels.unsqueeze(-1).expand_as(emb)
        emb = emb * (labels != -1)
        emb = emb + self.not_a_point_embed.weight * (labels == -1)
        for i in range(len(self.point_embeddings)):
            emb = emb + self.point_embeddings[i].weight * (labels == i)
        return emb

    def forward(self, image_embeddings, point_coords, point_labels):
        sparse = self._embed_points(point_coords, point_labels)
        b = sparse.shape[0]
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        tokens = torch.cat([output_tokens.unsqueeze(0).expand(b, -1, -1), sparse], dim=1)
        dense = self.no_mask_embed.weight.reshape(1, -1, 1, 1)
        src = image_embeddings.expand(b, -1, -1, -1) + dense
        pos_src = self._dense_pe().expand(b, -1, -1, -1)
        _, c, h, w = src.shape
        hs, src = self.transformer(src, pos_src, tokens)
        iou_token_out = hs[:, 0, :]
        mask_tokens_out = hs[:, 1:(1 + self.num_mask_tokens), :]
        src = src.transpose(1, 2).reshape(b, c, h, w)
        upscaled = self.output_upscaling(src)
        hyper_in = torch.stack(
            [self.output_hypernetworks_mlps[i](mask_tokens_out[:, i, :])
             for i in range(self.num_mask_tokens)], dim=1)
        _, c, h, w = upscaled.shape
        masks = (hyper_in @ upscaled.reshape(b, c, h * w)).reshape(b, -1, h, w)
        iou_pred = self.iou_prediction_head(iou_token_out)
        return masks[:, 1:, :, :], iou_pred[:, 1:]  # multimask output: tokens 1..3


# ---------------------------------------------------------------------------------------------

def export_onnx(module, args, path, input_names, output_names, dynamic_axes):
    torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=OPSET)
    onnx.checker.check_model(path)  # by path: the encoder is a few hundred MB
    model = onnx.load(path, load_external_data=False)
    got = [i.name for i in model.graph.input]
    assert got == input_names, (path, got)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="package folder to write (outside the repository)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(SEED)
    encoder = ImageEncoderViT().eval()
    decoder = SamCostDecoder().eval()
    n_enc = sum(p.numel() for p in encoder.parameters())
    n_dec = sum(p.numel() for p in decoder.parameters())
    print(f"encoder parameters {n_enc / 1e6:.2f} M, decoder (prompt enc + mask dec) {n_dec / 1e6:.2f} M")

    image = torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE)
    with torch.no_grad():
        embeddings = encoder(image)
        assert embeddings.shape == (1, PROMPT_DIM, 64, 64), embeddings.shape
        export_onnx(encoder, (image,), os.path.join(args.out, "encoder.onnx"),
                    ["image"], ["image_embeddings"], None)
        b, n = 2, 3
        coords = torch.randint(0, IMAGE_SIZE, (b, n, 2)).float()
        labels = torch.ones(b, n)
        masks, iou = decoder(embeddings, coords, labels)
        assert masks.shape == (b, 3, 256, 256) and iou.shape == (b, 3), (masks.shape, iou.shape)
        export_onnx(decoder, (embeddings, coords, labels), os.path.join(args.out, "decoder.onnx"),
                    ["image_embeddings", "point_coords", "point_labels"],
                    ["masks", "iou_predictions"],
                    {"point_coords": {0: "batch", 1: "points"},
                     "point_labels": {0: "batch", 1: "points"},
                     "masks": {0: "batch"}, "iou_predictions": {0: "batch"}})

    manifest = {
        "name": "sam-cost-vit-b",
        "engine": "OnnxRuntime",
        "encoder": "encoder.onnx",
        "decoder": "decoder.onnx",
        "image_size": IMAGE_SIZE,
        "pixel_mean": PIXEL_MEAN,
        "pixel_std": PIXEL_STD,
        "mask_threshold": 0.0,
        "encoder_outputs": ["image_embeddings"],
        "description": "COST STAND-IN, not a segmenter: SAM ViT-B architecture with random "
                       f"weights (seed {SEED}); masks are meaningless. Written by "
                       "engine-job/bench/sam-cost/make_sam_cost_model.py",
    }
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
