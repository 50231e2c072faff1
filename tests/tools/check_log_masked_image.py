#!/usr/bin/env python3
"""Checks the contract of examples/log_masked_image against the files it wrote, independently of
the library: runs the example, then verifies every payload with hashlib and PIL.

Usage: check_log_masked_image.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

from PIL import Image

LABELS = {"0": "person", "1": "tree", "2": "car", "3": "road"}


def quadrant_mask(split):
    """The seed's masks: 0 top-left, 1 bottom-left, 2 top-right, 3 bottom-right of `split`."""
    return [[(1 if r >= split else 0) + (2 if c >= split else 0) for c in range(100)] for r in range(100)]


def check_file(files_dir, payload, subdir, key, ext, errors):
    path = payload["path"]
    pattern = re.escape(subdir) + "/" + re.escape(key) + r"_0_([0-9a-f]{20})" + re.escape(ext) + "$"
    m = re.match(pattern, path)
    if not m:
        errors.append(f"{path}: name does not follow {subdir}/{key}_<step>_<sha256[:20]>{ext}")
        return None
    with open(os.path.join(files_dir, path), "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if payload["sha256"] != digest:
        errors.append(f"{path}: sha256 {payload['sha256']} != file's {digest}")
    if m.group(1) != digest[:20]:
        errors.append(f"{path}: name id {m.group(1)} != sha256[:20] {digest[:20]}")
    if payload["size"] != len(data):
        errors.append(f"{path}: size {payload['size']} != file's {len(data)}")
    return os.path.join(files_dir, path)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out = subprocess.run([binary, work], check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
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
            expected = [v for row in quadrant_mask(split) for v in row]
            if pixels != expected:
                bad = next(i for i, (a, b) in enumerate(zip(pixels, expected)) if a != b)
                errors.append(f"mask {name} pixel ({bad // 100}, {bad % 100}) = {pixels[bad]}, expected {expected[bad]}")
    singletons = {
        f"img_with_masks_wandb_delimeter_{name}": {
            "type": "mask/class_labels",
            "key": f"img_with_masks_wandb_delimeter_{name}",
            "value": LABELS,
        }
        for name in ("predictions", "ground_truth")
    }
    if doc["config"] != {"_wandb": {"mask/class_labels": singletons}}:
        errors.append(f"config {json.dumps(doc['config'])}")
    written = sorted(os.path.relpath(os.path.join(d, f), work) for d, _, fs in os.walk(work) for f in fs)
    named = sorted([value["path"]] + [m["path"] for m in masks.values()])
    if written != named:
        errors.append(f"files on disk {written} != files named {named}")
    for e in errors:
        print("FAIL:", e)
    print("checked", len(named), "files:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
