"""Checks wandb::Histogram against numpy, which W&B's SDK computes its histograms with
(`np.histogram(sequence, bins=num_bins)` in wandb/sdk/data_types/histogram.py).

usage: check_histogram.py DIR
DIR holds case-<n>.json files, each {"values": [...], "num_bins": N, "payload": {...}}: the
inputs and the payload our Histogram wrote (bins as exact hex floats under "bins_hex"). Prints
one line per mismatch and "checked N histograms: OK" or "...: FAILED".
"""
import glob
import json
import os
import sys

import numpy as np


def main(directory):
    errors = []
    files = sorted(glob.glob(os.path.join(directory, "case-*.json")))
    for path in files:
        with open(path) as f:
            case = json.load(f)
        counts, edges = np.histogram(np.array(case["values"], dtype=np.float64), bins=case["num_bins"])
        name = os.path.basename(path)
        got = case["payload"]
        if got["_type"] != "histogram" or list(got) != ["_type", "values", "bins"]:
            errors.append(f"{name}: keys {list(got)}")
        if got["values"] != counts.tolist():
            errors.append(f"{name}: counts {got['values']} != numpy's {counts.tolist()}")
        bins = [float.fromhex(h) for h in case["bins_hex"]]
        if bins != edges.tolist():
            diffs = [(i, a, b) for i, (a, b) in enumerate(zip(bins, edges.tolist())) if a != b][:3]
            errors.append(f"{name}: edges differ from numpy's (first: {diffs}, {len(bins)} vs {len(edges)})")
    for e in errors:
        print(e)
    print(f"checked {len(files)} histograms: {'FAILED' if errors or not files else 'OK'}")
    return 1 if errors or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
