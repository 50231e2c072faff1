#!/usr/bin/env python3
"""Checks examples/resume_after_preemption, independently of the library: starts it three times
in one root (preempted after step 6, preempted after step 13, then to the end), reads each
fragment's .wandb log with wandb_log.py and checks that together they hold steps 0..19 once each,
in order, with loss = 1 / (1 + step) computed here; that each later fragment's Run record says
resumed with starting_step = the previous fragment's last step + 1 and carries the earlier summary;
that only the last fragment has an Exit record and its summary is the last row's; and that the
config survives.

Usage: check_resume_after_preemption.py EXAMPLE_BINARY WORK_DIR
"""
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import history_rows, read_run_records  # noqa: E402

RUN_ID = "preemption-demo"


def start(binary, work, preempted_after=None):
    args = [binary, work] + (["--preempted-after", str(preempted_after)] if preempted_after is not None else [])
    out = subprocess.run(args, capture_output=True, text=True)
    expected = 137 if preempted_after is not None else 0
    if out.returncode != expected:
        sys.exit(f"{args}: exit {out.returncode}, expected {expected}; stderr: {out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def summary_of(records):
    """The summary the records leave: each Summary item sets its key or its nested leaf."""
    summary = {}
    for r in records:
        for item in r.get("summary", {}).get("update", []):
            path = item["nested_key"] if item.get("nested_key") else [item["key"]]
            at = summary
            for label in path[:-1]:
                at = at.setdefault(label, {})
            at[path[-1]] = json.loads(item["value_json"])
    return summary


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    dirs = [start(binary, work, 6), start(binary, work, 13), start(binary, work)]
    errors = []
    fail = errors.append
    if len(set(dirs)) != 3:
        fail(f"three starts wrote {len(set(dirs))} directories: {dirs}")
    listed = sorted(d for d in os.listdir(os.path.join(work, "wandb")) if d.endswith("-" + RUN_ID))
    if listed != [os.path.basename(d) for d in dirs]:  # offline-run-<time>-<id>: name order is start order
        fail(f"fragments in name order {listed}, started as {dirs}")
    all_steps = []
    last_steps = [6, 13, 19]
    for i, run_dir in enumerate(dirs):
        records = read_run_records(run_dir, RUN_ID)[0]
        run = next(r["run"] for r in records if "run" in r)
        rows = [row for _, row in history_rows(records)]
        steps = [row["_step"] for row in rows]
        first = 0 if i == 0 else last_steps[i - 1] + 1
        if steps != list(range(first, last_steps[i] + 1)):
            fail(f"fragment {i}: steps {steps}, expected {first}..{last_steps[i]}")
        for row in rows:
            if not math.isclose(row["loss"], 1.0 / (1 + row["_step"]), rel_tol=1e-15):
                fail(f"fragment {i} step {row['_step']}: loss {row['loss']}")
        all_steps += steps
        resumed = bool(run.get("resumed", False))
        if resumed != (i > 0):
            fail(f"fragment {i}: resumed {resumed}")
        if i > 0 and int(run.get("starting_step", 0)) != first:
            fail(f"fragment {i}: starting_step {run.get('starting_step')}, expected {first}")
        config = {item["key"]: json.loads(item["value_json"]) for item in run.get("config", {}).get("update", [])}
        if config.get("total_steps") != 20:
            fail(f"fragment {i}: config {config}")
        has_exit = any("exit" in r for r in records)
        if has_exit != (i == 2):
            fail(f"fragment {i}: Exit record {has_exit}")
        # Each fragment's summary on its own: the last row it holds (the earlier ones carried over).
        summary = summary_of(records)
        if summary.get("loss") != 1.0 / (1 + last_steps[i]) or summary.get("_step") != last_steps[i]:
            fail(f"fragment {i}: summary loss {summary.get('loss')} _step {summary.get('_step')}")
    if all_steps != list(range(20)):
        fail(f"the fragments hold steps {all_steps}")
    with open(os.path.join(dirs[2], "files", "wandb-summary.json")) as f:
        final = json.load(f)
    if final.get("loss") != 1.0 / 20 or final.get("_step") != 19:
        fail(f"wandb-summary.json of the last fragment: {final}")
    if errors:
        sys.exit("\n".join(errors))
    print("resume_after_preemption: 3 fragments, steps 0..19 once each, resumed at 7 and 14: ok")


if __name__ == "__main__":
    main()
