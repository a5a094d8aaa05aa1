#!/usr/bin/env python3
"""Exports a Segment Anything checkpoint (vit_b, vit_l, vit_h, or a custom ViT size) into a
maskgen segmentation package: model.json, encoder.onnx, decoder.onnx (contract: ../README.md).

Run it with the `segment_anything` package importable and a checkpoint (the released
`sam_vit_*.pth` files are state dicts):

    pip install torch onnx git+https://github.com/facebookresearch/segment-anything.git
    python export_sam.py --model-type vit_b --checkpoint sam_vit_b_01ec64.pth --out sam-vit-b

Verified against the reference code by model-udf/models/export/parity/ (random weights on a
reduced ViT, built with `--model-type custom`): see ../README.md.

What the exported pair computes, for the Java runtime:
  encoder: image [1,3,1024,1024] float32 (RGB resized so the longest side is 1024, normalised
           with SAM's pixel mean/std on the 0-255 scale, zero-padded bottom/right)
           -> image_embeddings [1,256,64,64]
  decoder: image_embeddings, point_coords [B,N,2] (x, y in the 1024 frame),
           point_labels [B,N] (1 fg, 0 bg, -1 padding, 2/3 box corners),
           mask_input [B,1,256,256], has_mask_input [B]
           -> masks [B,4,256,256] low-res logits (SAM's raw mask tokens: 0 the single-mask
              output, 1-3 the multimask outputs), iou_predictions [B,4]
This is SamPredictor.predict_torch(return_logits=True) before its upscaling. As in SAM's own
ONNX export, the decoder embeds exactly the points it is given (+0.5 to the pixel centre): the
runtime appends SAM's padding point (0, 0, -1) to prompts without a box ("decoder_pads_points":
false in model.json), and a box is its two corners labelled 2 and 3 after the points.
"""

import argparse
import json
import os

import torch
from torch import nn

from segment_anything import sam_model_registry
from segment_anything.build_sam import _build_sam


class SamEncoder(nn.Module):
    def __init__(self, sam):
        super().__init__()
        self.image_encoder = sam.image_encoder

    def forward(self, image):
        return self.image_encoder(image)


class SamDecoder(nn.Module):
    """Batched prompt decoder: B prompts of N points on one image embedding."""

    def __init__(self, sam):
        super().__init__()
        self.prompt_encoder = sam.prompt_encoder
        self.mask_decoder = sam.mask_decoder
        self.img_size = sam.image_encoder.img_size

    def _embed_points(self, coords, labels):
        # PromptEncoder._embed_points (pad=False) and _embed_boxes in one: box corners are
        # points labelled 2 and 3; both shift coordinates to the pixel centre.
        coords = (coords + 0.5) / self.img_size
        emb = self.prompt_encoder.pe_layer._pe_encoding(coords)
        labels = labels.unsqueeze(-1).expand_as(emb)
        emb = emb * (labels != -1)
        emb = emb + self.prompt_encoder.not_a_point_embed.weight * (labels == -1)
        for i in range(self.prompt_encoder.num_point_embeddings):
            emb = emb + self.prompt_encoder.point_embeddings[i].weight * (labels == i)
        return emb

    def _embed_masks(self, mask_input, has_mask_input):
        has = has_mask_input.reshape(-1, 1, 1, 1)
        emb = has * self.prompt_encoder.mask_downscaling(mask_input)
        no_mask = self.prompt_encoder.no_mask_embed.weight.reshape(1, -1, 1, 1)
        return emb + (1 - has) * no_mask

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input):
        sparse = self._embed_points(point_coords, point_labels)
        dense = self._embed_masks(mask_input, has_mask_input)
        md = self.mask_decoder
        # MaskDecoder.predict_masks, with expand instead of repeat_interleave (B is dynamic).
        b = sparse.shape[0]
        output_tokens = torch.cat([md.iou_token.weight, md.mask_tokens.weight], dim=0)
        tokens = torch.cat([output_tokens.unsqueeze(0).expand(b, -1, -1), sparse], dim=1)
        src = image_embeddings.expand(b, -1, -1, -1) + dense
        pos_src = self.prompt_encoder.get_dense_pe().expand(b, -1, -1, -1)
        _, c, h, w = src.shape
        hs, src = md.transformer(src, pos_src, tokens)
        iou_token_out = hs[:, 0, :]
        mask_tokens_out = hs[:, 1:(1 + md.num_mask_tokens), :]
        src = src.transpose(1, 2).reshape(b, c, h, w)
        upscaled = md.output_upscaling(src)
        hyper_in = torch.stack(
            [md.output_hypernetworks_mlps[i](mask_tokens_out[:, i, :])
             for i in range(md.num_mask_tokens)], dim=1)
        _, c, h, w = upscaled.shape
        masks = (hyper_in @ upscaled.reshape(b, c, h * w)).reshape(b, -1, h, w)
        iou_pred = md.iou_prediction_head(iou_token_out)
        # All mask tokens: 0 the single-mask output, 1..3 the multimask outputs.
        return masks, iou_pred


def build(model_type, checkpoint, custom=None):
    """The SAM model of a released type, or of a custom ViT encoder size (`custom`: a dict with
    embed_dim, depth, num_heads, global_attn_indexes), with the checkpoint's weights."""
    if model_type != "custom":
        return sam_model_registry[model_type](checkpoint=checkpoint).eval()
    if custom is None:
        raise SystemExit("--model-type custom needs --custom-encoder")
    return _build_sam(encoder_embed_dim=int(custom["embed_dim"]),
                      encoder_depth=int(custom["depth"]),
                      encoder_num_heads=int(custom["num_heads"]),
                      encoder_global_attn_indexes=[int(i) for i in custom["global_attn_indexes"]],
                      checkpoint=checkpoint).eval()


def export(sam, out, name, source, opset=17):
    """Writes the package of `sam` (in eval mode) to the folder `out`."""
    os.makedirs(out, exist_ok=True)
    size = sam.image_encoder.img_size
    image = torch.zeros(1, 3, size, size)
    with torch.no_grad():
        embeddings = sam.image_encoder(image)
        torch.onnx.export(SamEncoder(sam), (image,), os.path.join(out, "encoder.onnx"),
                          input_names=["image"], output_names=["image_embeddings"],
                          opset_version=opset)
        b, n = 2, 3
        low = 4 * sam.prompt_encoder.image_embedding_size[0]
        torch.onnx.export(
            SamDecoder(sam),
            (embeddings, torch.randint(0, size, (b, n, 2)).float(), torch.ones(b, n),
             torch.zeros(b, 1, low, low), torch.zeros(b)),
            os.path.join(out, "decoder.onnx"),
            input_names=["image_embeddings", "point_coords", "point_labels", "mask_input",
                         "has_mask_input"],
            output_names=["masks", "iou_predictions"],
            dynamic_axes={"point_coords": {0: "batch", 1: "points"},
                          "point_labels": {0: "batch", 1: "points"},
                          "mask_input": {0: "batch"}, "has_mask_input": {0: "batch"},
                          "masks": {0: "batch"}, "iou_predictions": {0: "batch"}},
            opset_version=opset)
    manifest = {
        "name": name,
        "engine": "OnnxRuntime",
        "encoder": "encoder.onnx",
        "decoder": "decoder.onnx",
        "image_size": size,
        "pixel_mean": [float(v) for v in sam.pixel_mean.flatten()],
        "pixel_std": [float(v) for v in sam.pixel_std.flatten()],
        "mask_threshold": float(sam.mask_threshold),
        "decoder_pads_points": False,
        "source": source,
        "license": "Apache-2.0 (Segment Anything)",
    }
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-type", required=True,
                        choices=["vit_b", "vit_l", "vit_h", "custom"])
    parser.add_argument("--checkpoint", required=True,
                        help="state dict of the model (the released sam_vit_*.pth files)")
    parser.add_argument("--out", required=True, help="package directory to write")
    parser.add_argument("--custom-encoder", metavar="JSON",
                        help='ViT size for --model-type custom, e.g. \'{"embed_dim": 64, '
                             '"depth": 2, "num_heads": 2, "global_attn_indexes": [1]}\'')
    parser.add_argument("--name", help="model name (default: sam-vit-b etc., or sam-custom)")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    custom = json.loads(args.custom_encoder) if args.custom_encoder else None
    sam = build(args.model_type, args.checkpoint, custom)
    name = args.name or "sam-" + args.model_type.replace("_", "-")
    export(sam, args.out, name, os.path.basename(args.checkpoint), args.opset)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
