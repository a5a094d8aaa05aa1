#!/usr/bin/env python3
"""Exports a HuggingFace CLIP model (e.g. openai/clip-vit-base-patch32, openai/clip-vit-large-patch14
-336, or a local directory) into a maskgen CLIP package: clip.json, image_encoder.onnx,
text_encoder.onnx, tokenizer.json (contract: ../README.md).

UNTESTED in the maskgen repository: it needs `transformers` and the model weights, which the
project's build machines do not have. Run it on your own machine:

    pip install torch onnx transformers
    python export_clip.py --model openai/clip-vit-base-patch32 --out clip-vit-b32

The encoders return the projected embeddings (CLIPModel.get_image_features and
get_text_features), [B, D]; the Java runtime normalises them to unit length. Texts are
tokenized by the model's own fast tokenizer (tokenizer.json: start/end tokens, lower-casing,
truncation to 77 tokens) and padded with the tokenizer's pad token; attention_mask marks the
real tokens. The weights of OpenAI's CLIP are the same on the HuggingFace hub
(openai/clip-vit-*), so this covers them as well.
"""

import argparse
import json
import os

import torch
from torch import nn
from transformers import CLIPModel, CLIPProcessor


class ImageEncoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.get_image_features(pixel_values=pixel_values)


class TextEncoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model.get_text_features(input_ids=input_ids, attention_mask=attention_mask)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="hub name or local directory")
    parser.add_argument("--out", required=True, help="package directory to write")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    model = CLIPModel.from_pretrained(args.model).eval()
    processor = CLIPProcessor.from_pretrained(args.model)
    tokenizer = processor.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise SystemExit("a fast tokenizer (tokenizer.json) is needed")
    image_size = model.config.vision_config.image_size
    context = model.config.text_config.max_position_embeddings
    os.makedirs(args.out, exist_ok=True)

    with torch.no_grad():
        torch.onnx.export(
            ImageEncoder(model), (torch.zeros(2, 3, image_size, image_size),),
            os.path.join(args.out, "image_encoder.onnx"),
            input_names=["pixel_values"], output_names=["image_embeds"],
            dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
            opset_version=args.opset)
        enc = tokenizer(["a photo of a cat", "red"], padding="max_length", max_length=context,
                        truncation=True, return_tensors="pt")
        torch.onnx.export(
            TextEncoder(model), (enc["input_ids"], enc["attention_mask"]),
            os.path.join(args.out, "text_encoder.onnx"),
            input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
            dynamic_axes={"input_ids": {0: "batch"}, "attention_mask": {0: "batch"},
                          "text_embeds": {0: "batch"}},
            opset_version=args.opset)

    # tokenizer.json of the fast tokenizer; padding/truncation are applied by the runtime.
    tokenizer.backend_tokenizer.save(os.path.join(args.out, "tokenizer.json"))
    image_processor = processor.image_processor
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    manifest = {
        "name": args.model.rstrip("/").split("/")[-1],
        "engine": "OnnxRuntime",
        "image_encoder": "image_encoder.onnx",
        "text_encoder": "text_encoder.onnx",
        "tokenizer": "tokenizer.json",
        "image_size": image_size,
        "pixel_mean": [float(v) for v in image_processor.image_mean],
        "pixel_std": [float(v) for v in image_processor.image_std],
        "context_length": context,
        "pad_token_id": int(pad_id),
        "source": args.model,
    }
    with open(os.path.join(args.out, "clip.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
