#!/usr/bin/env python3
"""Checks the offline run examples/train_offline writes, independently of the library: runs it,
reads the .wandb log with wandb_log.py (stdlib only, written from the format facts) and checks the
records against the files (hashlib, PIL).

Usage: check_train_offline.py EXAMPLE_BINARY WORK_DIR
"""
import hashlib
import json
import os
import re
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import history_rows, nested_key_problems, quadrants, read_run_records, run_offline_example  # noqa: E402

LABELS = {"0": "person", "1": "tree", "2": "car", "3": "road"}



def main():
    binary, work = sys.argv[1], sys.argv[2]
    out, run_dir, run_id = run_offline_example(binary, work)
    errors = []

    def fail(msg):
        errors.append(msg)

    if not re.fullmatch(re.escape(os.path.join(os.path.abspath(work), "wandb")) + r"/offline-run-\d{8}_\d{6}-([a-z0-9]{8})", run_dir):
        fail(f"run directory {run_dir!r} is not <root>/wandb/offline-run-<YYYYMMDD_HHMMSS>-<id>")
    if f"wandb sync {run_dir}" not in out.stderr:
        fail("the sync command was not printed")
    files_dir = os.path.join(run_dir, "files")
    records, kinds = read_run_records(run_dir, run_id)

    if [r["num"] for r in records] != list(range(1, len(records) + 1)):
        fail("Record.num is not 1, 2, 3, ...")
    if kinds[:3] != ["header", "run", "environment"]:
        fail(f"first records are {kinds[:3]}, expected header, run, environment")
    env = records[2].get("environment", {})
    if env.get("program") != binary or env.get("args") != [work] or not env.get("host") or not env.get("os"):
        fail(f"environment record {env}")
    if env.get("started_at") != records[1]["run"].get("start_time"):
        fail("the environment's started_at is not the run's start_time")
    if not re.fullmatch(r"[a-z0-9]{32}", env.get("writer_id", "")):
        fail(f"writer_id {env.get('writer_id')!r}")
    run = records[1]["run"]
    if run.get("project") != "wandb-imagemask-demo" or run.get("run_id") != run_id:
        fail(f"run record {run}")
    if kinds[-3:] != ["summary", "exit", "final"] or records[-2]["exit"].get("exit_code", 0) != 0:
        fail(f"last records {kinds[-3:]} {records[-2]}")
    runtime = records[-3].get("summary", {}).get("update", [])
    seconds = records[-2].get("exit", {}).get("runtime", 0)
    if [(i.get("nested_key"), i.get("key"), i.get("value_json")) for i in runtime] != \
            [(["_wandb", "runtime"], None, str(seconds)), (None, "_runtime", str(seconds))]:
        fail(f"runtime summary before Exit: {runtime}")
    for p in nested_key_problems(records):
        fail(p)

    announced = {item["path"] for r in records if "files" in r for item in r["files"]["files"]}
    rows = history_rows(records)
    steps = [row.get("_step") for _, row in rows]
    if steps != list(range(100)):
        fail(f"_step values {steps[:5]}... ({len(steps)} rows), expected 0..99")
    for (h, row), step in zip(rows, steps):
        if h.get("step", {}).get("num", 0) != step:
            fail(f"HistoryRecord.step {h.get('step')} != _step {step}")
        for k in ("loss", "accuracy", "_runtime", "_timestamp"):
            if k not in row:
                fail(f"step {step}: no {k}")
    images = 0
    for (h, row), step in zip(rows, steps):
        if "val/examples" in row:
            images += 1
            value = row["val/examples"]
            epoch = (step - 19) // 20
            paths = [(value["path"], value)] + [(m["path"], m) for m in value["masks"].values()]
            for path, payload in paths:
                full = os.path.join(files_dir, path)
                with open(full, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                if digest != payload["sha256"] or os.path.getsize(full) != payload["size"]:
                    fail(f"{path}: sha256/size do not match the payload")
                if path not in announced:
                    fail(f"{path} is not announced in a Files record")
                if not re.search(rf"_{step}_{digest[:20]}\.(png|mask\.png)$", path):
                    fail(f"{path} is not named <key>_{step}_<sha256[:20]>")
            for name, split in (("predictions", 50 - 5 * epoch), ("ground_truth", 25)):
                with Image.open(os.path.join(files_dir, value["masks"][name]["path"])) as im:
                    if im.mode != "L" or list(im.getdata()) != quadrants(split):
                        fail(f"step {step}: mask {name} does not hold the quadrant classes split at {split}")
    if images != 5:
        fail(f"{images} logged images, expected one per epoch")
    configs = [json.loads(i["value_json"]) for r in records if "config" in r for i in r["config"]["update"] if i["key"] == "_wandb"]
    want = {f"val/examples_wandb_delimeter_{n}": {"type": "mask/class_labels", "key": f"val/examples_wandb_delimeter_{n}", "value": LABELS}
            for n in ("predictions", "ground_truth")}
    if not configs or configs[-1] != {"mask/class_labels": want}:
        fail(f"_wandb config singletons {configs[-1:]}")
    if len(configs) != 1:
        fail(f"{len(configs)} _wandb config records; the labels never change, so expected 1")
    summaries = [r["summary"] for r in records if "summary" in r]
    if len(summaries) < 100 or not any(i.get("key") == "best_accuracy" for i in summaries[-2]["update"]):
        fail(f"{len(summaries)} summary records")
    with open(os.path.join(files_dir, "wandb-summary.json")) as f:
        summary = json.load(f)
    if summary.get("_step") != 99 or "best_accuracy" not in summary:
        fail(f"wandb-summary.json {summary}")
    for name in ("config.yaml", "wandb-metadata.json"):
        if not os.path.exists(os.path.join(files_dir, name)):
            fail(f"files/{name} is missing")
    for e in errors:
        print("FAIL:", e)
    print(f"checked {len(records)} records, {images} images:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
