#!/usr/bin/env python3
"""`wandb-imagemask view` as a command: its exit codes and messages, and the report's data read
back from the HTML (no browser: tests/browser/test_report.py looks at the page itself).

Usage: check_view_cli.py WANDB_IMAGEMASK REPORT_FIXTURE WORK_DIR

Expected values come from the fixture's definition (report_fixture.cpp) and the files on disk.
Ends with "N passed, M failed"; exit status 1 if anything failed.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import wandb_log  # noqa: E402  the independent reader of .wandb logs


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def model_of(html_path):
    text = open(html_path, encoding="utf-8").read()
    m = re.search(r'<script type="application/json" id="run-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def history_value(run_dir, step, key):
    """The value of `key` in the History record of `step`, read with tests/tools/wandb_log.py (items
    in either form: `key` + whole value, or `nested_key` + one leaf each)."""
    log = [os.path.join(run_dir, f) for f in os.listdir(run_dir) if f.endswith(".wandb")][0]
    for _, data in wandb_log.read_records(open(log, "rb").read()):
        history = wandb_log.decode_record(data).get("history")
        if not history or history.get("step", {}).get("num", 0) != step:
            continue
        row = {}
        for item in history["item"]:
            path = item.get("nested_key") or [item["key"]]
            node = row
            for label in path[:-1]:
                node = node.setdefault(label, {})
            node[path[-1]] = json.loads(item["value_json"])
        return row[key]
    raise KeyError(key)


def main():
    tool, fixture, work = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    code, out, _ = run(fixture, os.path.join(work, "runs"))
    run_dir = out.strip().splitlines()[-1]
    passed, failed = 0, 0

    def check(name, condition, detail=""):
        nonlocal passed, failed
        if condition:
            passed += 1
            print(f"ok      {name}")
        else:
            failed += 1
            print(f"FAILED  {name}: {detail}")

    usage_first = "usage: wandb-imagemask view RUN_DIR [-o FILE] [--max-images N] [--embed-images]\n"
    code, out, err = run(tool, "view", "--help")
    check("--help prints the usage, exit 0", code == 0 and out.startswith(usage_first) and not err, (code, out[:80], err))
    for args, message in [
        ([], "no run directory given"),
        ([run_dir, "--max-images", "0"], '--max-images must be a number from 1 to 100000, got "0"'),
        ([run_dir, "--max-images", "12x"], '--max-images must be a number from 1 to 100000, got "12x"'),
        ([run_dir, "-o"], "-o needs a file name"),
        ([run_dir, "--colour"], 'unknown option "--colour"'),
        ([run_dir, run_dir], f'one run at a time (got "{run_dir}" and "{run_dir}")'),
    ]:
        code, out, err = run(tool, "view", *args)
        check(f"usage error {args[1:] or args}: exit 2, message", code == 2 and not out and
              err.startswith(f"wandb-imagemask view: {message}\n\n{usage_first}"), (code, err[:160]))

    missing = os.path.join(work, "no-such-run")
    code, out, err = run(tool, "view", missing)
    check("a missing run directory: exit 1, named", code == 1 and
          err == f"wandb-imagemask view: {missing} is neither a run directory nor a .wandb file\n", (code, err))
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    code, out, err = run(tool, "view", empty)
    check("a directory without a log: exit 1, named", code == 1 and
          err == f"wandb-imagemask view: {empty} holds no .wandb log; is it an offline run directory?\n", (code, err))

    code, out, err = run(tool, "view", run_dir)
    report = os.path.join(run_dir, "report.html")
    check("the report is written to RUN_DIR/report.html with a summary line", code == 0 and not err and
          out == f"wrote {report}: 5 rows, 4 charts, 2 image keys (12 images, 21 masks), 1 tables\n", (code, out, err))
    model = model_of(report)
    run_facts = model["run"]
    check("run facts", (run_facts["name"], run_facts["project"], run_facts["group"], run_facts["tags"],
                        run_facts["state"], run_facts["exit_code"], run_facts["rows"]) ==
          ("report fixture", "report-test", "browser", ["seed", "browser-test"], "finished", 0, 5), run_facts)
    check("config without _wandb", model["config"] == {"learning_rate": 0.01, "epochs": 5, "model": {"depth": 4}},
          model["config"])
    check("charts: one per numeric key, NaN kept", [c["key"] for c in model["charts"]] == ["epoch", "loss", "accuracy", "val.iou"]
          and model["charts"][3]["points"][3] == [3, "NaN"], [c["key"] for c in model["charts"]])
    seg = model["media"][0]
    check("image key seg: 5 steps, one image each", seg["key"] == "seg" and [s["step"] for s in seg["steps"]] == [0, 1, 2, 3, 4]
          and all(len(s["images"]) == 1 for s in seg["steps"]), seg["key"])
    gt = [l for l in seg["layers"]["masks"] if l["name"] == "ground_truth"][0]
    check("ground truth classes carry the fixture's colors", [(c["id"], c["name"], c.get("color")) for c in gt["classes"]] ==
          [(0, "person", "#c81e1e"), (1, "tree", "#1ec81e"), (2, "car", "#1e1ec8"), (3, "road", "#dcdc1e")], gt)
    first = seg["steps"][0]["images"][0]
    image_file = os.path.join(os.path.dirname(report), urllib.parse.unquote(first["src"]))
    check("images are referenced by a path relative to the report", not first["src"].startswith(("/", "file:")) and
          os.path.isfile(image_file) and image_file.startswith(os.path.join(run_dir, "files", "media", "images")), first["src"])
    mask_uri = model["blobs"][first["masks"]["predictions"]]
    mask_file = os.path.join(run_dir, "files", history_value(run_dir, 0, "seg")["masks"]["predictions"]["path"])
    check("masks are embedded as the run's own PNG bytes", mask_uri.startswith("data:image/png;base64,") and
          base64.b64decode(mask_uri.split(",", 1)[1]) == open(mask_file, "rb").read(), mask_file)
    boxes = first["boxes"]["detections"]
    check("boxes in image pixels", [(b["x0"], b["y0"], b["x1"], b["y1"], b["class_id"]) for b in boxes] ==
          [(10, 20, 40, 50, 0), (60, 60, 80, 80, 1)], boxes)
    table = model["tables"][0]["steps"][0]
    check("table columns, kinds and cells", table["columns"] == ["id", "image", "iou", "label"] and
          table["kinds"] == ["number", "image", "number", "text"] and [r[2] for r in table["rows"]] == [0.7, 0.2, 0.9, 0.4]
          and all("image" in r[1] for r in table["rows"]), table["kinds"])

    elsewhere = os.path.join(work, "out", "deeper", "r.html")
    code, out, err = run(tool, "view", run_dir, "-o", elsewhere, "--embed-images", "--max-images", "7")
    model = model_of(elsewhere)
    first = model["media"][0]["steps"][0]["images"][0]
    check("-o elsewhere --embed-images: images embedded too", code == 0 and "src" not in first and
          model["blobs"][first["src_blob"]].startswith("data:image/png;base64,") and model["max_images"] == 7, (code, err))

    not_a_dir = os.path.join(work, "a-file")
    open(not_a_dir, "w").close()
    code, out, err = run(tool, "view", run_dir, "-o", os.path.join(not_a_dir, "r.html"))
    check("an output that cannot be written: exit 1, the path named, nothing left", code == 1 and not out and
          err == f"wandb-imagemask view: cannot write the report {not_a_dir}/r.html: cannot create directory "
                 f"{not_a_dir}: Not a directory\n" and os.path.getsize(not_a_dir) == 0, (code, err))

    # A run copied without one image, its log cut short: the report is still written, with warnings.
    broken = os.path.join(work, "broken")
    shutil.copytree(run_dir, broken)
    os.remove(os.path.join(broken, os.path.relpath(image_file, run_dir)))
    log = [os.path.join(broken, f) for f in os.listdir(broken) if f.endswith(".wandb")][0]
    cut = os.path.getsize(log) // 2  # before the Exit record; then 3 bytes of a chunk header that ends there
    if cut % 32768 > 32768 - 7:
        cut -= 16  # not inside a block trailer, which must be zeros
    with open(log, "r+b") as f:
        f.truncate(cut)
        f.seek(cut)
        f.write(b"\x01\x02\x03")
    code, out, err = run(tool, "view", broken)
    check("a missing image and a truncated log: exit 0, both named", code == 0 and
          f"warning: missing file {os.path.join(broken, os.path.relpath(image_file, run_dir))} (key \"seg\", step 0)" in err and
          "warning: the log ends early: truncated tail at offset" in err, (code, err))
    model = model_of(os.path.join(broken, "report.html"))
    check("a log cut short: not finished", model["run"]["state"] == "not finished" and "log_problem" in model["run"], model["run"])

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
