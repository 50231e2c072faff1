#!/usr/bin/env python3
"""Checks the offline run examples/train_steps writes, independently of the library: runs it,
reads the .wandb log with wandb_log.py and checks that the log calls of one step made one row, as
the SDK's step rules make them (wandb_run.py Run.log; wandb-core handlePartialHistorySync), with
every value computed here from the example's formulas, the media against the files (PIL), and the
define_metric records and summaries as wandb-core's handler makes them (runmetric, runsummary).

Usage: check_train_steps.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import json
import math
import os
import re
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import history_rows, nested_key_problems, read_run_records, run_offline_example  # noqa: E402


def close(a, b):
    return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-12, abs_tol=0)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    _, run_dir, run_id = run_offline_example(binary, work)
    errors = []
    fail = errors.append
    files_dir = os.path.join(run_dir, "files")
    records, kinds = read_run_records(run_dir, run_id)
    if kinds[:3] != ["header", "run", "environment"] or kinds[-3:] != ["summary", "exit", "final"]:
        fail(f"records begin {kinds[:3]} and end {kinds[-3:]}")
    for p in nested_key_problems(records):
        fail(p)
    announced = {item["path"] for r in records if "files" in r for item in r["files"]["files"]}
    rows = history_rows(records)
    steps = [row.get("_step") for _, row in rows]
    if steps != list(range(31)):
        fail(f"_step values {steps}, expected 0..30: one row per step")
    loss = 1.0
    losses, ious = [], []
    for step in range(30):
        if step >= len(rows):
            break
        epoch = step // 10
        loss *= 0.9
        h, row = rows[step]
        keys = {"loss", "lr", "epoch", "_step", "_runtime", "_timestamp"}
        if step % 10 == 9:
            keys |= {"val/iou", "examples"}
        if set(row) != keys:
            fail(f"step {step}: keys {sorted(row)}, expected {sorted(keys)}")
            continue
        if h.get("step", {}).get("num", 0) != step:
            fail(f"step {step}: HistoryRecord.step {h.get('step')}")
        losses.append(loss)
        if not close(row["loss"], loss) or not close(row["lr"], 0.1 / (epoch + 1)) or row["epoch"] != epoch:
            fail(f"step {step}: loss {row['loss']} lr {row['lr']}")
        if step % 10 == 9:
            ious.append(0.5 + 0.1 * epoch - (0.15 if epoch == 2 else 0))
            if not close(row["val/iou"], ious[-1]):
                fail(f"step {step}: val/iou {row['val/iou']}")
            value = row["examples"]
            for path, payload in [(value["path"], value), (value["masks"]["predictions"]["path"], value["masks"]["predictions"])]:
                with open(os.path.join(files_dir, path), "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                if digest != payload["sha256"] or path not in announced:
                    fail(f"{path}: sha256 differs or not announced")
                if not re.search(rf"/examples_{step}_{digest[:20]}\.(png|mask\.png)$", path):
                    fail(f"{path} is not named by the row's step {step}")
            split = 16 - 4 * epoch
            with Image.open(os.path.join(files_dir, value["masks"]["predictions"]["path"])) as im:
                want = [0] * (32 * split) + [1] * (32 * (32 - split))
                if list(im.getdata()) != want:
                    fail(f"step {step}: the mask is not split at row {split}")
    if len(rows) == 31:
        row = rows[30][1]
        want = {"test/loss": loss * 1.1, "test/accuracy": 0.8, "epoch": 3}
        if set(row) != set(want) | {"_step", "_runtime", "_timestamp"} or \
                not all(close(row[k], v) for k, v in want.items()):
            fail(f"step 30: {row}, expected {want}: the commit=false pieces and the commit in one row")
    # define_metric: the SDK's MetricRecords (wandb_metric.py Metric._commit) at the calls, then
    # the record wandb-core's handler writes when the glob first matches a key (ToRecord).
    metrics = [r["metric"] for r in records if "metric" in r]
    want_metrics = [
        {"name": "epoch", "options": {"defined": True}},
        {"glob_name": "val/*", "step_metric": "epoch", "options": {"step_sync": True, "defined": True}, "summary": {"max": True}},
        {"name": "loss", "options": {"defined": True}, "summary": {"min": True, "mean": True}},
        {"name": "val/iou", "step_metric": "epoch", "options": {"step_sync": True}, "summary": {"max": True},
         "_control": {"overwrite": True}, "expanded_from_glob": True},
    ]
    if metrics != want_metrics:
        fail(f"metric records {metrics}")
    first_iou = next(i for i, r in enumerate(records) if "history" in r and "val/iou" in history_rows([r])[0][1])
    if "metric" not in records[first_iou - 1] or records[first_iou - 1]["metric"].get("name") != "val/iou":
        fail("the val/iou MetricRecord does not come right before the first row holding val/iou")
    # The summaries: computed here from the logged values.
    with open(os.path.join(files_dir, "wandb-summary.json")) as f:
        summary = json.load(f)
    if summary.get("val/iou") is None or set(summary["val/iou"]) != {"max"} or not close(summary["val/iou"]["max"], max(ious)):
        fail(f"summary val/iou {summary.get('val/iou')}, expected max {max(ious)}")
    want_loss = {"min": min(losses), "mean": sum(losses) / len(losses)}
    if summary.get("loss") is None or set(summary["loss"]) != set(want_loss) or \
            not all(close(summary["loss"][k], v) for k, v in want_loss.items()):
        fail(f"summary loss {summary.get('loss')}, expected {want_loss}")
    if summary.get("epoch") != 3 or not close(summary.get("lr"), 0.1 / 3):
        fail(f"summary epoch {summary.get('epoch')} lr {summary.get('lr')}: undefined keys keep their last value")
    for e in errors:
        print("FAIL:", e)
    print(f"checked {len(records)} records, {len(rows)} rows:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
