#!/usr/bin/env python3
"""Checks the contract of examples/log_boxes against the files it wrote, independently of the
library: the image payload with its two box layers, each boxes file's content as the SDK writes
it (wandb-format.md section 3), the image decoded with PIL, and the config singletons.

Usage: check_log_boxes.py EXAMPLE_BINARY WORK_DIR
"""
import json
import os
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import check_media_file, files_on_disk, report, run_example, singletons  # noqa: E402

LABELS = {"0": "person", "1": "car", "2": "road", "3": "building"}
# The example's boxes, as W&B's docs write them in Python.
BOXES = {
    "predictions": [
        {"position": {"minX": 0.1, "maxX": 0.2, "minY": 0.3, "maxY": 0.4}, "class_id": 1, "box_caption": "car",
         "scores": {"acc": 0.2, "loss": 1.2}},
        {"position": {"middle": [150, 20], "width": 68, "height": 112}, "domain": "pixel", "class_id": 3,
         "box_caption": "a building", "scores": {"acc": 0.5, "loss": 0.7}},
    ],
    "ground_truth": [
        {"position": {"minX": 0.12, "maxX": 0.22, "minY": 0.28, "maxY": 0.41}, "class_id": 1, "box_caption": "car"},
        {"position": {"middle": [148, 24], "width": 70, "height": 110}, "domain": "pixel", "class_id": 3,
         "box_caption": "a building"},
    ],
}


def main():
    binary, work = sys.argv[1], sys.argv[2]
    doc = run_example(binary, work)
    errors = []
    value = doc["history"]["driving_scene"]
    expected_keys = ["_type", "sha256", "size", "path", "format", "width", "height", "boxes"]
    if list(value) != expected_keys:
        errors.append(f"image payload keys {list(value)}, expected {expected_keys} (the SDK's order)")
    for k, v in {"_type": "image-file", "format": "png", "width": 320, "height": 240}.items():
        if value.get(k) != v:
            errors.append(f"image payload {k} = {value.get(k)!r}, expected {v!r}")
    image_path = check_media_file(work, value, "media/images", "driving_scene", ".png", errors)
    if image_path:
        with Image.open(image_path) as im:
            if (im.format, im.mode, im.size) != ("PNG", "RGB", (320, 240)):
                errors.append(f"image decodes as {im.format} {im.mode} {im.size}")
    boxes = value.get("boxes", {})
    if list(boxes) != list(BOXES):
        errors.append(f"box layers {list(boxes)}, expected {list(BOXES)}")
    for layer, box_data in BOXES.items():
        payload = boxes.get(layer, {})
        if list(payload) != ["_type", "sha256", "size", "path"] or payload.get("_type") != "boxes2D":
            errors.append(f"boxes {layer} payload {payload}")
            continue
        path = check_media_file(work, payload, "media/metadata/boxes2D", "driving_scene", ".boxes2D.json", errors)
        if path:
            with open(path, encoding="utf-8") as f:
                content = json.load(f)
            if content != {"box_data": box_data, "class_labels": LABELS}:
                errors.append(f"boxes {layer} file holds {json.dumps(content)}")
            if [list(b) for b in content.get("box_data", [])] != [list(b) for b in box_data]:
                errors.append(f"boxes {layer}: box fields {[list(b) for b in content['box_data']]} not in the SDK's order")
    expected = singletons("bounding_box/class_labels", "driving_scene", BOXES, LABELS)
    if doc["config"] != {"_wandb": {"bounding_box/class_labels": expected}}:
        errors.append(f"config {json.dumps(doc['config'])}")
    named = sorted([value["path"]] + [b["path"] for b in boxes.values()])
    if files_on_disk(work) != named:
        errors.append(f"files on disk {files_on_disk(work)} != files named {named}")
    return report(errors, len(named))


if __name__ == "__main__":
    sys.exit(main())
