#!/usr/bin/env python3
"""Times the W&B Python SDK's PNG path on the .npy inputs bench_encode wrote.

Mask (as the SDK's ImageMask does it): Image.fromarray(mask.astype(np.int8)).convert("L"), save,
then the SHA-256 of the file read back. RGB image: Image.fromarray(px).convert("RGB"), save, SHA-256.
Prints "<workload> <median ms> <bytes>" per workload, the format bench_encode prints.

usage: sdk_baseline.py DIR [REPS]      (needs python3-pil and python3-numpy)
"""
import hashlib
import os
import statistics
import sys
import time

import numpy as np
from PIL import Image

WORKLOADS = ["seg1024", "noise1024", "seg512", "rgb512", "rgb1024"]
# TODO(lead): "step16" (16 rgb512 images with 2 seg512 masks each, in one wandb.log call) goes
# here once bench_encode has it: time the SDK's Image/ImageMask path over all 48 files.


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


if __name__ == "__main__":
    main()
