#!/usr/bin/env python3
"""Checks the contract of examples/log_image_list against the files it wrote, independently of the
library: the images/separated payload (wandb-format.md section 2), each image and mask decoded
with PIL and compared with the example's pixels, in the payload's order, and the config singleton.

Usage: check_log_image_list.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import json
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import check_media_file, files_on_disk, report, run_example, singletons  # noqa: E402

LABELS = {"0": "background", "1": "object"}
COUNT = 4


def image_pixels(i):
    return [(40 * i + r + c) % 256 for r in range(64) for c in range(64)]


def mask_pixels(i):
    return [1 if 8 * i <= r < 8 * i + 24 and 8 * i <= c < 8 * i + 24 else 0 for r in range(64) for c in range(64)]


def main():
    binary, work = sys.argv[1], sys.argv[2]
    doc = run_example(binary, work)
    errors = []
    value = doc["history"]["examples"]
    expected_keys = ["_type", "width", "height", "format", "count", "filenames", "captions", "all_masks"]
    if list(value) != expected_keys:
        errors.append(f"payload keys {list(value)}, expected {expected_keys} (the SDK's order)")
    for k, v in {"_type": "images/separated", "width": 64, "height": 64, "format": "png", "count": COUNT}.items():
        if value.get(k) != v:
            errors.append(f"payload {k} = {value.get(k)!r}, expected {v!r}")
    captions = [f"Pred: {1 if i % 2 == 0 else 0}, Label: 1" for i in range(COUNT)]
    if value.get("captions") != captions:
        errors.append(f"captions {value.get('captions')}, expected {captions}")
    filenames, all_masks = value.get("filenames", []), value.get("all_masks", [])
    if len(filenames) != COUNT or len(all_masks) != COUNT:
        errors.append(f"{len(filenames)} filenames and {len(all_masks)} mask entries for {COUNT} images")
    named = []
    for i, (name, masks) in enumerate(zip(filenames, all_masks)):
        # A list names each image by its path only: the name must hold the file's own sha256[:20].
        with open(os.path.join(work, name), "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        check_media_file(work, {"path": name, "sha256": digest, "size": len(data)}, "media/images", "examples",
                         ".png", errors)
        with Image.open(os.path.join(work, name)) as im:
            if (im.format, im.mode, im.size) != ("PNG", "L", (64, 64)):
                errors.append(f"image {i} decodes as {im.format} {im.mode} {im.size}")
            elif list(im.getdata()) != image_pixels(i):
                errors.append(f"image {i} ({name}) does not hold the example's image {i}")
        named.append(name)
        if list(masks) != ["prediction"] or list(masks["prediction"]) != ["_type", "sha256", "size", "path"]:
            errors.append(f"mask entry {i}: {masks}")
            continue
        path = check_media_file(work, masks["prediction"], "media/images/mask", "examples", ".mask.png", errors)
        if path:
            with Image.open(path) as im:
                if (im.format, im.mode, im.size) != ("PNG", "L", (64, 64)):
                    errors.append(f"mask {i} decodes as {im.format} {im.mode} {im.size}")
                elif list(im.getdata()) != mask_pixels(i):
                    errors.append(f"mask {i} does not hold the example's mask {i}")
            named.append(masks["prediction"]["path"])
    expected = singletons("mask/class_labels", "examples", ("prediction",), LABELS)
    if doc["config"] != {"_wandb": {"mask/class_labels": expected}}:
        errors.append(f"config {json.dumps(doc['config'])}")
    if files_on_disk(work) != sorted(named):
        errors.append(f"files on disk {files_on_disk(work)} != files named {sorted(named)}")
    return report(errors, len(named))


if __name__ == "__main__":
    sys.exit(main())
