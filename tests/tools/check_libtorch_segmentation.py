#!/usr/bin/env python3
"""Checks examples/libtorch_segmentation independently of the library and of LibTorch: runs it,
reads the .wandb log with wandb_log.py, redraws the validation samples with the generator the
example documents (xorshift32), and checks: a finite loss every step that falls, at every
evaluation the logged image (pixels), the ground-truth mask (labels), the predicted mask (class
ids only), and every Table row's per-class IoU recomputed from the logged mask files (PIL, numpy,
hashlib), plus a trained model (mean IoU at the last evaluation).

Usage: check_libtorch_segmentation.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import artifact_files, check_media_file, history_rows, read_run_records, run_offline_example  # noqa: E402

SIDE, STEPS, EVAL_EVERY, VALIDATION = 64, 300, 100, 4
LABELS = {"0": "background", "1": "circle", "2": "square"}
MASK = 0xFFFFFFFF


def sample(seed):
    """The example's make_sample(seed), from its description: (3 x H x W image, H x W labels)."""
    state = seed

    def next_value():
        nonlocal state
        state ^= (state << 13) & MASK
        state ^= state >> 17
        state ^= (state << 5) & MASK
        return state

    cx, cy, r = 12 + next_value() % 40, 12 + next_value() % 40, 6 + next_value() % 6
    sx, sy, s = 4 + next_value() % 44, 4 + next_value() % 44, 8 + next_value() % 8
    image = np.zeros((3, SIDE, SIDE), np.uint8)
    labels = np.zeros((SIDE, SIDE), np.uint8)
    for y in range(SIDE):
        for x in range(SIDE):
            square = sx <= x < sx + s and sy <= y < sy + s
            circle = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
            label = 2 if square else 1 if circle else 0
            labels[y, x] = label
            for c in range(3):
                n = next_value() % 64
                image[c, y, x] = (192 if (label == 1 and c == 0) or (label == 2 and c == 1) else 64) + n
    return image, labels


def iou(predicted, truth, k):
    both = np.logical_and(predicted == k, truth == k).sum()
    either = np.logical_or(predicted == k, truth == k).sum()
    return 1.0 if either == 0 else float(both) / float(either)


def decode(data):
    with Image.open(io.BytesIO(data)) as im:
        return im.mode, np.array(im)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    _, run_dir, run_id = run_offline_example(binary, work)
    files_dir = os.path.join(run_dir, "files")
    errors = []
    fail = errors.append
    checked = 0
    samples = [sample(seed) for seed in range(1, VALIDATION + 1)]

    records, kinds = read_run_records(run_dir, run_id)
    if kinds[-2:] != ["exit", "final"]:
        fail(f"last records {kinds[-2:]}")
    rows = [row for _, row in history_rows(records)]
    if [r.get("_step") for r in rows] != list(range(STEPS)):
        fail(f"{len(rows)} rows, _step {[r.get('_step') for r in rows[:3]]}..., expected 0..{STEPS - 1}")
    losses = [r.get("loss") for r in rows]
    if not all(isinstance(v, float) and math.isfinite(v) for v in losses):
        fail("a loss is missing or not finite")
    elif not sum(losses[-20:]) < 0.5 * sum(losses[:20]):
        fail(f"the loss did not fall: first 20 average {sum(losses[:20]) / 20}, last 20 {sum(losses[-20:]) / 20}")

    artifacts = [files for name, files in artifact_files(records, run_dir) if name == f"run-{run_id}-samples"]
    evaluations = [r for r in rows if "val" in r]
    if [r["_step"] for r in evaluations] != list(range(EVAL_EVERY - 1, STEPS, EVAL_EVERY)):
        fail(f"evaluations at steps {[r['_step'] for r in evaluations]}")
    if len(artifacts) != len(evaluations):
        fail(f"{len(artifacts)} run_table artifacts run-<id>-samples for {len(evaluations)} evaluations")
    mean_iou = None
    for row, staged in zip(evaluations, artifacts):
        step, val = row["_step"], row["val"]
        # The first validation sample with its predicted and ground-truth masks.
        image, labels = samples[0]
        prediction = val.get("prediction", {})
        path = check_media_file(files_dir, prediction, "media/images", "prediction", ".png", errors, step)
        if path:
            checked += 1
            with open(path, "rb") as f:
                mode, pixels = decode(f.read())
            if mode != "RGB" or not np.array_equal(pixels, image.transpose(1, 2, 0)):
                fail(f"step {step}: the logged image is not validation sample 1")
        logged = {}
        for name in ("predictions", "ground_truth"):
            m = prediction.get("masks", {}).get(name, {})
            path = check_media_file(files_dir, m, "media/images/mask", "prediction", ".mask.png", errors, step) if m else None
            if not path:
                fail(f"step {step}: no {name} mask")
                continue
            checked += 1
            with open(path, "rb") as f:
                mode, logged[name] = decode(f.read())
            if mode != "L":
                fail(f"step {step}: mask {name} is {mode}")
        if "ground_truth" in logged and not np.array_equal(logged["ground_truth"], labels):
            fail(f"step {step}: the ground-truth mask is not sample 1's labels")
        if "predictions" in logged and not set(np.unique(logged["predictions"])) <= {0, 1, 2}:
            fail(f"step {step}: predicted ids {sorted(set(np.unique(logged['predictions'])))}")

        # The Table: every validation sample, its masks in the artifact, its IoU recomputed.
        table_value = val.get("samples", {})
        if table_value.get("_type") != "table-file":
            fail(f"step {step}: val.samples is {table_value.get('_type')!r}")
        with open(os.path.join(files_dir, table_value.get("path", "")), "rb") as f:
            run_side = f.read()
        if hashlib.sha256(run_side).hexdigest() != table_value.get("sha256"):
            fail(f"step {step}: the run-side table file does not match its sha256")
        table = json.loads(staged.get("samples.table.json", b"{}"))
        if table.get("columns") != ["sample", "image", "iou_background", "iou_circle", "iou_square", "mean_iou"]:
            fail(f"step {step}: table columns {table.get('columns')}")
        means = []
        for i, r in enumerate(table.get("data", [])):
            number, cell, ious, mean = r[0], r[1], r[2:5], r[5]
            image, labels = samples[i]
            masks = {}
            for name in ("predictions", "ground_truth"):
                blob = staged.get(cell.get("masks", {}).get(name, {}).get("path"))
                if blob is None:
                    fail(f"step {step}, sample {number}: mask {name} is not in the artifact")
                    continue
                checked += 1
                masks[name] = decode(blob)[1]
            blob = staged.get(cell.get("path"))
            if blob is None or not np.array_equal(decode(blob)[1], image.transpose(1, 2, 0)):
                fail(f"step {step}, sample {number}: the image is not validation sample {i + 1}")
            if number != i + 1 or len(masks) != 2:
                continue
            if not np.array_equal(masks["ground_truth"], labels):
                fail(f"step {step}, sample {number}: ground truth differs from the redrawn labels")
            expected = [iou(masks["predictions"], labels, k) for k in range(3)]
            if ious != expected or mean != sum(expected) / 3:
                fail(f"step {step}, sample {number}: IoU {ious} mean {mean}, recomputed {expected}")
            means.append(mean)
        if len(means) != VALIDATION:
            fail(f"step {step}: {len(means)} checked table rows, expected {VALIDATION}")
        mean_iou = val.get("mean_iou")
    if mean_iou is None or not mean_iou > 0.6:
        fail(f"mean IoU at the last evaluation {mean_iou}: the model did not learn")
    for e in errors:
        print("FAIL:", e)
    print(f"checked {len(rows)} rows, {checked} files; last mean IoU {mean_iou}:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
