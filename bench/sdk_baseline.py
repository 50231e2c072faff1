#!/usr/bin/env python3
"""Times the W&B Python SDK's PNG path on the .npy inputs bench_encode wrote.

Mask (as the SDK's ImageMask does it): Image.fromarray(mask.astype(np.int8)).convert("L"), save,
then the SHA-256 of the file read back. RGB image: Image.fromarray(px).convert("RGB"), save, SHA-256.
step16: one wandb.log call of 16 RGB images with two masks each, as the SDK does it: build each
Image (range checks, rescale rule, uint8 conversion, PIL encode to a temporary PNG, SHA-256 of the
file) and ImageMask (range check, PIL encode, SHA-256), then bind them to the run (move each file
to media/images/<key>_<step>_<sha256[:20]>.png, masks below mask/) and serialize the row to JSON.
Prints "<workload> <median ms> <bytes>" per workload, the format bench_encode prints.

usage: sdk_baseline.py DIR [REPS]      (needs python3-pil and python3-numpy)
"""
import hashlib
import json
import os
import shutil
import statistics
import sys
import time

import numpy as np
from PIL import Image

WORKLOADS = ["seg1024", "noise1024", "seg512", "rgb512", "rgb1024"]


def save_mask(mask, path):
    Image.fromarray(mask.astype(np.int8)).convert("L").save(path)


def save_rgb(pixels, path):
    Image.fromarray(pixels).convert("RGB").save(path)


def sdk_path(array, path):
    """The SDK's work for one mask or image: encode, write, hash the file."""
    if array.ndim == 2:
        save_mask(array, path)
    else:
        save_rgb(array, path)
    with open(path, "rb") as f:
        hashlib.sha256(f.read()).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sdk_image(pixels, tmp_dir, i):
    """wandb.Image(pixels): the SDK's data checks and rescale rule, PIL encode, file hash."""
    if np.min(pixels) < 0 or np.max(pixels) > 255:  # _warn_on_invalid_data_range
        pass
    lo, hi = pixels.min(), pixels.max()  # _guess_and_rescale_to_0_255
    data = (pixels * 255).astype(np.uint8) if 0 <= lo and hi <= 1 else pixels.clip(0, 255).astype(np.uint8)
    path = os.path.join(tmp_dir, f"img{i}.png")
    save_rgb(data.astype(np.uint8), path)
    return {"path": path, "sha256": sha256_file(path), "size": os.path.getsize(path), "ext": ".png"}


def sdk_mask(mask, tmp_dir, name):
    """wandb.ImageMask({"mask_data": mask, "class_labels": ...}): range check, PIL encode, hash."""
    if not ((mask >= 0).all() and (mask <= 255).all()):
        raise TypeError("Mask data must be integers between 0 and 255")
    path = os.path.join(tmp_dir, name + ".mask.png")
    save_mask(mask, path)
    return {"path": path, "sha256": sha256_file(path), "size": os.path.getsize(path), "ext": ".mask.png"}


def bind(media, run_dir, subdir, key):
    """Media.bind_to_run: move the temporary file to its name in the run, return the payload."""
    name = f"{key}_0_{media['sha256'][:20]}{media['ext']}"
    os.makedirs(os.path.join(run_dir, subdir), exist_ok=True)
    shutil.move(media["path"], os.path.join(run_dir, subdir, name))
    return {"_type": "file", "sha256": media["sha256"], "size": media["size"], "path": f"{subdir}/{name}"}


def step16(root, reps):
    """One log call of 16 images with 2 masks each; returns (median ms, bytes of the files)."""
    photos = np.load(os.path.join(root, "step16_rgb.npy"))
    masks = np.load(os.path.join(root, "step16_masks.npy"))
    labels = {c: f"class_{c}" for c in range(21)}
    work = os.path.join(root, "sdk_step16")

    def log_once(rep):
        tmp, run_dir = os.path.join(work, f"tmp{rep}"), os.path.join(work, f"run{rep}")
        os.makedirs(tmp)
        images = []
        for i in range(len(photos)):
            images.append((sdk_image(photos[i], tmp, i),
                           {"predictions": sdk_mask(masks[i, 0], tmp, f"p{i}"),
                            "ground_truth": sdk_mask(masks[i, 1], tmp, f"g{i}")}))
        files, all_masks = [], []
        for image, layers in images:
            files.append(bind(image, run_dir, "media/images", "examples")["path"])
            all_masks.append({k: dict(bind(m, run_dir, "media/images/mask", "examples"), _type="mask")
                              for k, m in layers.items()})
        row = {"examples": {"_type": "images/separated", "width": 512, "height": 512, "format": "png",
                            "count": len(files), "filenames": files, "all_masks": all_masks},
               "_wandb": {"mask/class_labels": {f"examples_wandb_delimeter_{k}": {"value": labels} for k in layers}}}
        json.dumps(row)

    sizes = []

    def cleanup(rep):
        run_dir = os.path.join(work, f"run{rep}")
        sizes.append(sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(run_dir) for f in fs))
        shutil.rmtree(work, ignore_errors=True)

    return median_ms(reps, log_once, cleanup), sizes[-1]


def median_ms(reps, fn, cleanup):
    """Median wall time of fn(i) over reps calls after two warm-ups; cleanup(i) runs untimed."""
    for i in (-2, -1):
        fn(i)
        cleanup(i)
    times = []
    for i in range(reps):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000.0)
        cleanup(i)
    return statistics.median(times)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 31
    out_dir = os.path.join(root, "sdk")
    os.makedirs(out_dir, exist_ok=True)
    for name in WORKLOADS:
        array = np.load(os.path.join(root, name + ".npy"))
        # A new file each time, as a run writes one per logged image; removed untimed.
        path = lambda i: os.path.join(out_dir, f"{name}_{i + 2}.png")  # noqa: E731
        sizes = []
        ms = median_ms(reps, lambda i: sdk_path(array, path(i)),
                       lambda i: (sizes.append(os.path.getsize(path(i))), os.remove(path(i))))
        print(f"{name} {ms:.3f} {sizes[-1]}", flush=True)
    ms, size = step16(root, max(5, reps // 3))
    print(f"step16 {ms:.3f} {size}", flush=True)


if __name__ == "__main__":
    main()
