#!/usr/bin/env python3
"""Checks the contract of examples/log_masked_image against the files it wrote, independently of
the library: runs the example, then verifies every payload with hashlib and PIL.

Usage: check_log_masked_image.py EXAMPLE_BINARY WORK_DIR
"""
import json
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import check_media_file as check_file, files_on_disk, quadrants, report, run_example, singletons  # noqa: E402

LABELS = {"0": "person", "1": "tree", "2": "car", "3": "road"}



def main():
    binary, work = sys.argv[1], sys.argv[2]
    doc = run_example(binary, work)
    errors = []
    if set(doc) != {"history", "config"}:
        errors.append(f"top-level keys {sorted(doc)}")
    value = doc["history"]["img_with_masks"]
    for k, v in {"_type": "image-file", "format": "png", "width": 100, "height": 100}.items():
        if value.get(k) != v:
            errors.append(f"image payload {k} = {value.get(k)!r}, expected {v!r}")
    expected_keys = ["_type", "sha256", "size", "path", "format", "width", "height", "masks"]
    if list(value) != expected_keys:
        errors.append(f"image payload keys {list(value)}, expected {expected_keys} (the SDK's order)")
    image_path = check_file(work, value, "media/images", "img_with_masks", ".png", errors)
    if image_path:
        with Image.open(image_path) as im:
            if (im.format, im.mode, im.size) != ("PNG", "RGB", (100, 100)):
                errors.append(f"image decodes as {im.format} {im.mode} {im.size}")
    masks = value.get("masks", {})
    if list(masks) != ["predictions", "ground_truth"]:
        errors.append(f"mask keys {list(masks)}")
    for name, split in (("predictions", 50), ("ground_truth", 25)):
        mask = masks.get(name, {})
        if mask.get("_type") != "mask" or list(mask) != ["_type", "sha256", "size", "path"]:
            errors.append(f"mask {name} payload {mask}")
            continue
        path = check_file(work, mask, "media/images/mask", "img_with_masks", ".mask.png", errors)
        if path:
            with Image.open(path) as im:
                if (im.format, im.mode, im.size) != ("PNG", "L", (100, 100)):
                    errors.append(f"mask {name} decodes as {im.format} {im.mode} {im.size}")
                pixels = list(im.getdata())
            expected = quadrants(split)
            if pixels != expected:
                bad = next(i for i, (a, b) in enumerate(zip(pixels, expected)) if a != b)
                errors.append(f"mask {name} pixel ({bad // 100}, {bad % 100}) = {pixels[bad]}, expected {expected[bad]}")
    expected = singletons("mask/class_labels", "img_with_masks", ("predictions", "ground_truth"), LABELS)
    if doc["config"] != {"_wandb": {"mask/class_labels": expected}}:
        errors.append(f"config {json.dumps(doc['config'])}")
    written = files_on_disk(work)
    named = sorted([value["path"]] + [m["path"] for m in masks.values()])
    if written != named:
        errors.append(f"files on disk {written} != files named {named}")
    return report(errors, len(named))


if __name__ == "__main__":
    sys.exit(main())
