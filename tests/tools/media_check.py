"""What the example checkers share, written from the format facts (hashlib only): run an example
that prints one JSON object, and check a media payload against the file it names.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess


def run_example(binary, work):
    """Runs `binary work` in a fresh `work` directory; returns the JSON object it printed."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out = subprocess.run([binary, work], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run_offline_example(binary, work):
    """Runs `binary work` in a fresh `work` directory, for an example that writes an offline run
    and prints its directory last; returns (completed process, run directory, run id)."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    out = subprocess.run([binary, work], check=True, capture_output=True, text=True)
    run_dir = out.stdout.strip().splitlines()[-1]
    return out, run_dir, run_dir.rsplit("-", 1)[-1]


def read_run_records(run_dir, run_id):
    """The records of <run_dir>/run-<run_id>.wandb, decoded by wandb_log.py (written from the
    format facts), and each record's kind (its one field besides `num`)."""
    import wandb_log  # beside this file

    with open(os.path.join(run_dir, f"run-{run_id}.wandb"), "rb") as f:
        records = [wandb_log.decode_record(bytes(body)) for _, body in wandb_log.read_records(f.read())]
    return records, [next(k for k in r if k != "num") for r in records]


def history_rows(records):
    """(HistoryRecord, row) for every History record, the row reassembled from its items by
    wandb_log.items_to_row (nested_key leaves or whole `key` values)."""
    import wandb_log  # beside this file

    return wandb_log.history_rows(records)


def nested_key_problems(records):
    """Every History and per-row Summary item that is not written as wandb-core writes them (one
    item per leaf, named by nested_key, no key), as readable lines."""
    problems = []
    for r in records:
        if "history" in r:
            for item in r["history"].get("item", []):
                if "key" in item or not item.get("nested_key"):
                    problems.append(f"record {r['num']}: history item {item} has no nested_key")
    return problems


def artifact_files(records, run_dir):
    """[(artifact name, {manifest path: bytes})] for every Artifact record in log order, reading
    each staged file its manifest names (a relative local_path is taken from run_dir)."""
    out = []
    for r in records:
        if "artifact" not in r:
            continue
        files = {}
        for e in r["artifact"].get("manifest", {}).get("contents", []):
            with open(os.path.join(run_dir, e["local_path"]), "rb") as f:
                files[e["path"]] = f.read()
        out.append((r["artifact"]["name"], files))
    return out


def quadrants(split):
    """The seed's 100x100 mask, row-major: 0 top-left, 1 bottom-left, 2 top-right, 3 bottom-right."""
    return [(1 if r >= split else 0) + (2 if c >= split else 0) for r in range(100) for c in range(100)]


def check_media_file(files_dir, payload, subdir, key, ext, errors, step=0):
    """Checks that payload["path"] is <subdir>/<key>_<step>_<sha256[:20]><ext> and that the file's
    sha256 and size are the payload's. Returns the file's absolute path, or None if misnamed."""
    path = payload["path"]
    pattern = re.escape(subdir) + "/" + re.escape(key) + f"_{step}_" + r"([0-9a-f]{20})" + re.escape(ext) + "$"
    m = re.match(pattern, path)
    if not m:
        errors.append(f"{path}: name does not follow {subdir}/{key}_<step>_<sha256[:20]>{ext}")
        return None
    with open(os.path.join(files_dir, path), "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if payload["sha256"] != digest:
        errors.append(f"{path}: sha256 {payload['sha256']} != file's {digest}")
    if m.group(1) != digest[:20]:
        errors.append(f"{path}: name id {m.group(1)} != sha256[:20] {digest[:20]}")
    if payload["size"] != len(data):
        errors.append(f"{path}: size {payload['size']} != file's {len(data)}")
    return os.path.join(files_dir, path)


def files_on_disk(root):
    """Every regular file below root, relative and sorted."""
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def singletons(kind, key, layers, labels):
    """The run config's class-label singletons for the given layers (wandb-format.md section 4)."""
    return {
        f"{key}_wandb_delimeter_{name}": {"type": kind, "key": f"{key}_wandb_delimeter_{name}", "value": labels}
        for name in layers
    }


def report(errors, checked):
    """Prints the errors and a last line; returns the exit status."""
    for e in errors:
        print("FAIL:", e)
    print("checked", checked, "files:", "FAILED" if errors else "OK")
    return 1 if errors else 0
