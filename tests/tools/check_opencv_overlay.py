#!/usr/bin/env python3
"""Checks examples/opencv_overlay independently of the library: writes an RGB image and a label
PNG with PIL (classes drawn from formulas below), runs the example on them, reads the .wandb log
with wandb_log.py, and checks the logged crop, its mask and every Table row against the inputs:
pixels (PIL, numpy), labels, pixel counts, file names and digests (hashlib).

Usage: check_opencv_overlay.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import artifact_files, check_media_file, history_rows, read_run_records, singletons  # noqa: E402

WIDTH, HEIGHT = 160, 120
LABELS = {"0": "background", "1": "building", "2": "tree", "3": "car"}


def make_inputs(work):
    """The example's inputs: a noisy gradient image and labels 1 (a rectangle), 2 (a disk) and 3
    (a square drawn last); returns (rgb H x W x 3, labels H x W) as numpy arrays."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    noise = np.random.default_rng(0).integers(0, 40, size=(HEIGHT, WIDTH, 3))
    rgb = np.stack([(x * 3 + y) % 216, (y * 2) % 216, (x + 2 * y) % 216], axis=2) + noise
    rgb = rgb.astype(np.uint8)
    labels = np.zeros((HEIGHT, WIDTH), np.uint8)
    labels[(x >= 30) & (x < 70) & (y >= 20) & (y < 50)] = 1
    labels[(x - 100) ** 2 + (y - 60) ** 2 <= 18 ** 2] = 2
    labels[(x >= 60) & (x < 80) & (y >= 70) & (y < 90)] = 3
    Image.fromarray(rgb, "RGB").save(os.path.join(work, "image.png"))
    Image.fromarray(labels, "L").save(os.path.join(work, "labels.png"))
    return rgb, labels


def box(where):
    """(x0, y0, x1, y1), exclusive ends, of the True pixels."""
    ys, xs = np.nonzero(where)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def decode(data):
    with Image.open(io.BytesIO(data)) as im:
        return im.mode, np.array(im)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rgb, labels = make_inputs(work)
    out = subprocess.run([binary, os.path.join(work, "image.png"), os.path.join(work, "labels.png"),
                          os.path.join(work, "root")], check=True, capture_output=True, text=True)
    run_dir = out.stdout.strip().splitlines()[-1]
    run_id = run_dir.rsplit("-", 1)[-1]
    files_dir = os.path.join(run_dir, "files")
    errors = []
    fail = errors.append
    checked = 0

    x0, y0, x1, y1 = box(labels != 0)
    x0, y0, x1, y1 = max(x0 - 4, 0), max(y0 - 4, 0), min(x1 + 4, WIDTH), min(y1 + 4, HEIGHT)
    roi_rgb, roi_labels = rgb[y0:y1, x0:x1], labels[y0:y1, x0:x1]

    records, _ = read_run_records(run_dir, run_id)
    rows = [row for _, row in history_rows(records)]
    if len(rows) != 1:
        fail(f"{len(rows)} history rows, expected 1")
    row = rows[0] if rows else {}
    if row.get("roi") != {"x": int(x0), "y": int(y0), "width": int(x1 - x0), "height": int(y1 - y0)}:
        fail(f"roi {row.get('roi')}, expected x {x0}, y {y0}, {x1 - x0} x {y1 - y0}")

    # The crop: the image's pixels in RGB (OpenCV read them as BGR), and its labels as the mask.
    overlay = row.get("overlay", {})
    for k, v in {"_type": "image-file", "format": "png", "width": int(x1 - x0), "height": int(y1 - y0)}.items():
        if overlay.get(k) != v:
            fail(f"overlay {k} = {overlay.get(k)!r}, expected {v!r}")
    path = check_media_file(files_dir, overlay, "media/images", "overlay", ".png", errors)
    if path:
        checked += 1
        with open(path, "rb") as f:
            mode, pixels = decode(f.read())
        if mode != "RGB" or not np.array_equal(pixels, roi_rgb):
            fail(f"overlay decodes as {mode} {pixels.shape}, not the RGB crop of the input")
    mask = overlay.get("masks", {}).get("ground_truth", {})
    path = check_media_file(files_dir, mask, "media/images/mask", "overlay", ".mask.png", errors) if mask else None
    if path:
        checked += 1
        with open(path, "rb") as f:
            mode, pixels = decode(f.read())
        if mode != "L" or not np.array_equal(pixels, roi_labels):
            fail("the overlay's ground_truth mask is not the crop of the labels")
    else:
        fail("the overlay has no ground_truth mask")

    # The Table: one row per class present in the crop, each with its own crop and mask.
    crops = row.get("crops", {})
    if crops.get("_type") != "table-file":
        fail(f"crops is {crops.get('_type')!r}, expected a table-file")
    artifacts = [files for name, files in artifact_files(records, run_dir) if name == f"run-{run_id}-crops"]
    if len(artifacts) != 1:
        fail(f"{len(artifacts)} run_table artifacts run-<id>-crops, expected 1")
    staged = artifacts[0] if artifacts else {}
    table = json.loads(staged.get("crops.table.json", b"{}"))
    if table.get("columns") != ["class_id", "class", "pixels", "crop"]:
        fail(f"table columns {table.get('columns')}")
    present = [k for k in (1, 2, 3) if (roi_labels == k).any()]
    data = table.get("data", [])
    if [r[:3] for r in data] != [[k, LABELS[str(k)], int((roi_labels == k).sum())] for k in present]:
        fail(f"table rows {[r[:3] for r in data]}")
    for k, r in zip(present, data):
        cx0, cy0, cx1, cy1 = box(roi_labels == k)
        cell = r[3]
        if (cell.get("_type"), cell.get("width"), cell.get("height")) != ("image-file", int(cx1 - cx0), int(cy1 - cy0)):
            fail(f"class {k}: crop cell {cell.get('_type')} {cell.get('width')} x {cell.get('height')}")
        members = [(cell.get("path"), cell.get("sha256"), roi_rgb[cy0:cy1, cx0:cx1], "RGB")]
        m = cell.get("masks", {}).get("ground_truth", {})
        members.append((m.get("path"), m.get("sha256"), roi_labels[cy0:cy1, cx0:cx1], "L"))
        for member, sha, expected, want_mode in members:
            blob = staged.get(member)
            if blob is None:
                fail(f"class {k}: {member} is not in the artifact")
                continue
            checked += 1
            if hashlib.sha256(blob).hexdigest() != sha:
                fail(f"class {k}: {member} does not match its sha256")
            mode, pixels = decode(blob)
            if mode != want_mode or not np.array_equal(pixels, expected):
                fail(f"class {k}: {member} does not decode to the input's crop ({mode})")

    configs = [json.loads(i["value_json"]) for r in records if "config" in r
               for i in r["config"]["update"] if i["key"] == "_wandb"]
    want = singletons("mask/class_labels", "overlay", ("ground_truth",), LABELS)
    if not configs or configs[-1].get("mask/class_labels") != want:
        fail(f"_wandb config {configs[-1:]}")
    for e in errors:
        print("FAIL:", e)
    print("checked", checked, "files:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
