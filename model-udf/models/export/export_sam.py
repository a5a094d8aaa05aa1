#!/usr/bin/env python3
"""Exports an official Segment Anything checkpoint (vit_b, vit_l or vit_h) into a maskgen
segmentation package: model.json, encoder.onnx, decoder.onnx (contract: ../README.md).

UNTESTED in the maskgen repository: it needs the `segment_anything` package and a checkpoint,
which the project's build machines do not have. Run it on your own machine:

    pip install torch onnx git+https://github.com/facebookresearch/segment-anything.git
    python export_sam.py --model-type vit_b --checkpoint sam_vit_b_01ec64.pth --out sam-vit-b

What the exported pair computes, for the Java runtime:
  encoder: image [1,3,1024,1024] float32 (RGB resized so the longest side is 1024, normalised
           with SAM's pixel mean/std on the 0-255 scale, zero-padded bottom/right)
           -> image_embeddings [1,256,64,64]
  decoder: image_embeddings, point_coords [B,N,2] (x, y in the 1024 frame),
           point_labels [B,N] (1 fg, 0 bg, -1 padding, 2/3 box corners),
           mask_input [B,1,256,256], has_mask_input [B]
           -> masks [B,3,256,256] low-res logits (SAM's multimask output),
              iou_predictions [B,3]
This is SamPredictor.predict_torch(multimask_output=True, return_logits=True) before its
upscaling: like SamPredictor, the decoder appends the "not a point" padding point to every
prompt itself (SAM's prompt encoder does so when no box is given), so callers pass only their
own points.
"""

import argparse
import json
import os

import torch
from torch import nn

from segment_anything import sam_model_registry


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
        # As PromptEncoder._embed_points with pad=True: a padding point (label -1) at the end.
        b = coords.shape[0]
        coords = torch.cat([coords, torch.zeros(b, 1, 2, dtype=coords.dtype)], dim=1)
        labels = torch.cat([labels, -torch.ones(b, 1, dtype=labels.dtype)], dim=1)
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
        # Multimask output: tokens 1..3 (token 0 is the single-mask output).
        return masks[:, 1:, :, :], iou_pred[:, 1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-type", required=True, choices=["vit_b", "vit_l", "vit_h"])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--out", required=True, help="package directory to write")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    sam = sam_model_registry[args.model_type](checkpoint=args.checkpoint).eval()
    os.makedirs(args.out, exist_ok=True)
    size = sam.image_encoder.img_size
    image = torch.zeros(1, 3, size, size)
    with torch.no_grad():
        embeddings = sam.image_encoder(image)
        torch.onnx.export(SamEncoder(sam), (image,), os.path.join(args.out, "encoder.onnx"),
                          input_names=["image"], output_names=["image_embeddings"],
                          opset_version=args.opset)
        b, n = 2, 3
        low = size // 4
        torch.onnx.export(
            SamDecoder(sam),
            (embeddings, torch.randint(0, size, (b, n, 2)).float(), torch.ones(b, n),
             torch.zeros(b, 1, low, low), torch.zeros(b)),
            os.path.join(args.out, "decoder.onnx"),
            input_names=["image_embeddings", "point_coords", "point_labels", "mask_input",
                         "has_mask_input"],
            output_names=["masks", "iou_predictions"],
            dynamic_axes={"point_coords": {0: "batch", 1: "points"},
                          "point_labels": {0: "batch", 1: "points"},
                          "mask_input": {0: "batch"}, "has_mask_input": {0: "batch"},
                          "masks": {0: "batch"}, "iou_predictions": {0: "batch"}},
            opset_version=args.opset)
    manifest = {
        "name": "sam-" + args.model_type.replace("_", "-"),
        "engine": "OnnxRuntime",
        "encoder": "encoder.onnx",
        "decoder": "decoder.onnx",
        "image_size": size,
        "pixel_mean": [float(v) for v in sam.pixel_mean.flatten()],
        "pixel_std": [float(v) for v in sam.pixel_std.flatten()],
        "mask_threshold": float(sam.mask_threshold),
        "source": os.path.basename(args.checkpoint),
        "license": "Apache-2.0 (Segment Anything)",
    }
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
