#!/usr/bin/env python3
"""Decodes the PNGs that png_write_fixtures writes with PIL (as W&B's Python side would read
them) and compares every pixel with the formula they were made from, and the PIL mode with the
channel count: 1 -> "L", 3 -> "RGB", 4 -> "RGBA".

usage: png_decode_pil.py PATH/TO/png_write_fixtures
Files go to a fresh directory under $WANDB_TEST_TMPDIR (else the system's temp directory).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def expected_pixels(pattern, channels, width, height):
    """The formulas of pixel_value in tests/test_png.cpp and tests/png_write_fixtures.cpp."""
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(channels), indexing="ij")
    if pattern == "m":
        v = (x // 5 + 3 * (y // 4) + c) % 7
    else:
        v = (x * 37 + y * 101 + c * 59 + ((x ^ y) & 7) * 13 + (x * y) % 11) % 256
    v = v.astype(np.uint8)
    return v[:, :, 0] if channels == 1 else v


def main():
    writer = sys.argv[1]
    base = os.environ.get("WANDB_TEST_TMPDIR") or None
    if base:
        os.makedirs(base, exist_ok=True)
    out_dir = tempfile.mkdtemp(prefix="png_decode_pil_", dir=base)
    subprocess.run([writer, out_dir], check=True)
    passed = failed = 0
    for name in sorted(os.listdir(out_dir)):
        pattern, channels, width, height, _filter, _backend = name[: -len(".png")].split("_")
        channels, width, height = int(channels), int(width), int(height)
        with Image.open(os.path.join(out_dir, name)) as im:
            im.load()
            ok = (im.format == "PNG" and im.mode == MODES[channels] and im.size == (width, height)
                  and np.array_equal(np.asarray(im), expected_pixels(pattern, channels, width, height)))
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAILED {name}: PIL mode {im.mode}, size {im.size}")
    if passed + failed == 0:
        print("no files were written")
        failed = 1
    print(f"{passed} passed, {failed} failed")
    if failed:
        print(f"files kept in {out_dir}")
        return 1
    shutil.rmtree(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
