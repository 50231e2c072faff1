#!/usr/bin/env python3
"""Tests of the `wandb-imagemask` tool: its exact output and exit codes, on runs the examples
write, damaged, moved and locked here. Expected values come from the files themselves (hashlib,
and wandb_log.py, the independent reader written from the format facts), never from the tool.

Usage: check_tool.py SCENARIO TOOL TRAIN_OFFLINE LOG_MASKED_TABLE WORK_DIR
SCENARIO: help | quick_start | verify | relocate | inspect | sync
"""
import base64
import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import time
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wandb_log  # noqa: E402
from media_check import history_rows, run_offline_example  # noqa: E402

TOOL = TRAIN = TABLE = WORK = None
failures = []


def run(*args, env=None):
    """Runs the tool; returns (exit code, stdout, stderr)."""
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def expect(what, got, rc, out=None, err=None):
    """Compares (exit code, stdout, stderr) with the expected ones (None: not compared)."""
    got_rc, got_out, got_err = got
    for name, g, w in (("exit code", got_rc, rc), ("stdout", got_out, out), ("stderr", got_err, err)):
        if w is not None and g != w:
            failures.append(f"{what}: {name}\n  got:      {g!r}\n  expected: {w!r}")


def check(what, condition, detail=""):
    if not condition:
        failures.append(f"{what} {detail}")


def log_path(run_dir):
    return next(os.path.join(run_dir, f) for f in os.listdir(run_dir) if f.endswith(".wandb"))


def records_of(run_dir):
    """[(offset, raw bytes, decoded)] of the run's log, by the independent reader."""
    with open(log_path(run_dir), "rb") as f:
        data = f.read()
    return [(off, body, wandb_log.decode_record(body)) for off, body in wandb_log.read_records(data)]


def new_run(binary, name):
    """A fresh run of an example below WORK/name; returns its directory."""
    _, run_dir, _ = run_offline_example(binary, os.path.join(WORK, name))
    return run_dir


def copy_run(run_dir, dest_root):
    """Copies a run directory below dest_root (keeping its name); returns the copy."""
    dest = os.path.join(dest_root, os.path.basename(run_dir))
    shutil.rmtree(dest_root, ignore_errors=True)
    os.makedirs(dest_root)
    shutil.copytree(run_dir, dest)
    return dest


def remove_tree(path):
    def writable(func, p, _):
        os.chmod(os.path.dirname(p), 0o755)
        func(p)

    shutil.rmtree(path, onerror=writable)


def media_of(records):
    """Every media path the History records name, with (sha256, size, offset of the first record)."""
    media = {}

    def walk(v, offset):
        if isinstance(v, dict):
            if isinstance(v.get("path"), str) and isinstance(v.get("sha256"), str):
                media.setdefault(v["path"], (v["sha256"], v.get("size"), offset))
            if v.get("_type") == "images/separated":
                for name in v.get("filenames", []):
                    media.setdefault(name, ("", None, offset))
            for child in v.values():
                walk(child, offset)
        elif isinstance(v, list):
            for child in v:
                walk(child, offset)

    for off, _, r in records:
        if "history" in r:
            walk(wandb_log.items_to_row(r["history"].get("item", [])), off)
    return media


def summary(records, finished_state=None):
    """The summary line verify prints, computed from the records."""
    rows = [r for _, _, r in records if "history" in r]
    steps = [h["history"].get("step", {}).get("num", 0) for h in rows]
    media = len(media_of(records))
    tables = sum(1 for _, _, r in records if r.get("artifact", {}).get("type") == "run_table")
    exits = [r["exit"] for _, _, r in records if "exit" in r]
    plural = lambda n, w: f"{n} {w}" + ("" if n == 1 else "s")  # noqa: E731
    step_text = "no steps" if not steps else f"step {steps[0]}" if steps[0] == steps[-1] else f"steps {steps[0]}..{steps[-1]}"
    state = f"exit code {exits[-1].get('exit_code', 0)}" if exits else (finished_state or "not finished")
    return f"{plural(len(rows), 'row')}, {step_text}, {plural(media, 'media file')}, {plural(tables, 'table')}, {state}"


def staged_entries(records):
    """(artifact name, record offset, manifest entries) of every Artifact record."""
    return [(r["artifact"]["name"], off, r["artifact"]["manifest"]["contents"]) for off, _, r in records if "artifact" in r]


class Locked:
    """Holds flock(LOCK_EX) on a log, as a live writer of this library does."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        os.close(self.fd)


def moved_message(name, count, example):
    return (f"artifact {name}: {count} staged files are named by where the run directory was before it was moved "
            f"or copied (e.g. {example}); `wandb-imagemask relocate` rewrites them")


# --- scenarios --------------------------------------------------------------------------------

def scenario_help():
    code, out, err = run("--help")
    expect("--help", (code, out, err), 0, err="")
    check("--help lists", all(f"\n  {c} " in out for c in ("verify", "relocate", "inspect", "sync")), out)
    check("--help first line", out.startswith("usage: wandb-imagemask <command> [arguments]\n"), out)
    for command, line in (("verify", "usage: wandb-imagemask verify RUN_DIR...\n"),
                          ("relocate", "usage: wandb-imagemask relocate RUN_DIR...\n"),
                          ("inspect", "usage: wandb-imagemask inspect [--rows] [--follow] RUN_DIR\n"),
                          ("sync", "usage: wandb-imagemask sync [--force] RUN_DIR... [-- ARGS]\n")):
        code, out, err = run(command, "--help")
        expect(f"{command} --help", (code, out[:len(line)], err), 0, line, "")
        check(f"{command} --help exit status", "Exit status:" in out, out)
        expect(f"{command} with no run", run(command), 2, "",
               f"wandb-imagemask {command}: no RUN_DIR given\n{line}`wandb-imagemask {command} --help` describes it.\n")
        expect(f"{command} --bogus", run(command, "--bogus", "x"), 2, "",
               f"wandb-imagemask {command}: unknown option --bogus" +
               (" (options for `wandb sync` go after --)" if command == "sync" else "") +
               f"\n{line}`wandb-imagemask {command} --help` describes it.\n")
    code, out, err = run()
    expect("no command", (code, out, err.split("\n")[0]), 2, "", "usage: wandb-imagemask <command> [arguments]")
    code, out, err = run("nope")
    expect("unknown command", (code, out, err.splitlines()[0]), 2, "", 'wandb-imagemask: unknown command "nope"')
    expect("--version", run("--version"), 0, "wandb-imagemask 0.1.0\n", "")
    nowhere = os.path.join(WORK, "nowhere")
    expect("verify a missing directory", run("verify", nowhere), 1, "",
           f"wandb-imagemask verify: wandb::find_run_log: {nowhere} does not exist\n")


def scenario_quick_start():
    # The README's Quick start runs examples/run.sh, which runs train_offline into ./out: that run
    # passes verify, and so does the table example's.
    for binary, name in ((TRAIN, "quick_start"), (TABLE, "table")):
        run_dir = new_run(binary, name)
        records = records_of(run_dir)
        expect(f"verify the {name} run", run("verify", run_dir), 0, f"{run_dir}: {summary(records)}: ok\n", "")
    check("the quick start run's summary", summary(records_of(new_run(TRAIN, "again"))) ==
          "100 rows, steps 0..99, 15 media files, 0 tables, exit code 0")


def scenario_verify():
    good = new_run(TRAIN, "good")
    records = records_of(good)
    line = f"{summary(records)}: "
    media = media_of(records)

    # a missing media file
    d = copy_run(good, os.path.join(WORK, "missing"))
    path = sorted(p for p in media if p.endswith(".png") and "/mask/" not in p)[0]
    os.remove(os.path.join(d, "files", path))
    expect("missing media file", run("verify", d), 1, f"{d}: {line}1 problem\n",
           f"{d}: files/{path}: missing (named in the History record at offset {media[path][2]})\n")

    # a media file whose bytes changed (same size)
    d = copy_run(good, os.path.join(WORK, "changed"))
    path = sorted(p for p in media if "/mask/" in p)[-1]
    full = os.path.join(d, "files", path)
    data = bytearray(open(full, "rb").read())
    data[len(data) // 2] ^= 0x40
    open(full, "wb").write(data)
    sha = hashlib.sha256(data).hexdigest()
    expect("changed media file", run("verify", d), 1, f"{d}: {line}1 problem\n",
           f"{d}: files/{path}: its bytes changed (sha256 {sha}, the History record at offset {media[path][2]} says "
           f"{media[path][0]})\n")

    # a missing staged artifact file
    table = new_run(TABLE, "table")
    table_records = records_of(table)
    name, offset, entries = staged_entries(table_records)[0]
    gone = entries[-1]
    os.remove(gone["local_path"])
    expect("missing staged file", run("verify", table), 1, f"{table}: {summary(table_records)}: 1 problem\n",
           f"{table}: artifact {name}: staged file {gone['local_path']} (member {gone['path']}) is missing (named in "
           f"the Artifact record at offset {offset})\n")

    # a flipped byte in the log: inside the 6th record, a FULL chunk starting at its offset
    d = copy_run(good, os.path.join(WORK, "flipped"))
    hit = records[5][0]
    log = log_path(d)
    data = bytearray(open(log, "rb").read())
    data[hit + 7 + 3] ^= 0x01
    open(log, "wb").write(data)
    expect("flipped byte", run("verify", d), 1, f"{d}: {summary(records[:5])}: 1 problem\n",
           f"{d}: log: CRC mismatch in chunk at offset {hit} (nothing from there on can be read; the 5 records before "
           f"it are intact)\n")

    # a truncated tail: cut inside the Exit record, which takes the Final record too
    d = copy_run(good, os.path.join(WORK, "truncated"))
    cut = records[-2][0]
    log = log_path(d)
    os.truncate(log, cut + 9)
    n = len(records) - 2
    expect("truncated tail", run("verify", d), 1, f"{d}: {summary(records[:n])}: 1 problem\n",
           f"{d}: log: truncated tail at offset {cut}: the file ends at offset {cut + 9} inside a record (the writer "
           f"stopped inside a record; the {n} records before it are intact)\n")
    # ... which is no problem while a writer holds the log: the run is being written.
    with Locked(log):
        expect("being written", run("verify", d), 0, f"{d}: {summary(records[:n], 'being written')}: ok\n", "")

    # several runs: one line each, exit 1 if any has a problem
    expect("two runs", run("verify", good, os.path.join(WORK, "missing", os.path.basename(good))), 1,
           f"{good}: {line}ok\n{os.path.join(WORK, 'missing', os.path.basename(good))}: {line}1 problem\n")


def scenario_relocate():
    original = new_run(TABLE, "cluster")
    before = records_of(original)
    d = copy_run(original, os.path.join(WORK, "laptop"))
    remove_tree(os.path.join(WORK, "cluster"))
    now = os.path.realpath(d)
    name, offset, entries = staged_entries(before)[0]
    line = f"{summary(before)}: "
    expect("verify the moved run", run("verify", d), 1, f"{d}: {line}1 problem\n",
           f"{d}: {moved_message(name, len(entries), entries[0]['local_path'])}\n")

    expect("relocate", run("relocate", d), 0,
           f"{d}: relocated {len(entries)} paths in 1 record from {original} to {now}\n", "")
    after = records_of(d)
    check("record count", len(after) == len(before), f"{len(after)} != {len(before)}")
    for (off_b, raw_b, rec_b), (off_a, raw_a, rec_a) in zip(before, after):
        if "artifact" not in rec_b:
            check(f"record at {off_b} byte-identical", raw_a == raw_b)
            continue
        want = json.loads(json.dumps(rec_b))
        for e in want["artifact"]["manifest"]["contents"]:
            check("old local_path below the original", e["local_path"].startswith(original + "/"), e["local_path"])
            e["local_path"] = now + e["local_path"][len(original):]
        check("artifact record: only local_path changed", rec_a == want, json.dumps(rec_a)[:300])
        for e in rec_a["artifact"]["manifest"]["contents"]:
            local = e["local_path"]
            if not os.path.isfile(local):
                failures.append(f"relocated local_path {local} does not exist")
                continue
            data = open(local, "rb").read()
            check(f"{local} md5", base64.b64encode(hashlib.md5(data).digest()).decode() == e["digest"])
            check(f"{local} size", len(data) == e["size"])
    expect("verify after relocate", run("verify", d), 0, f"{d}: {line}ok\n", "")

    log = log_path(d)
    data, mtime = open(log, "rb").read(), os.stat(log).st_mtime_ns
    expect("relocate again", run("relocate", d), 0, f"{d}: nothing to relocate: every path in the log is below {now}\n", "")
    check("relocating twice changes nothing", open(log, "rb").read() == data and os.stat(log).st_mtime_ns == mtime)

    # refusals: a run still being written, a synced run; nothing changes
    moved = copy_run(d, os.path.join(WORK, "again"))
    mlog = log_path(moved)
    with Locked(mlog):
        expect("relocate an open run", run("relocate", moved), 1, "",
               f"wandb-imagemask relocate: wandb::relocate_run: {mlog} is still being written (its writer holds the "
               f"log's lock); relocate the run after it has finished\n")
    open(mlog + ".synced", "w").close()
    expect("relocate a synced run", run("relocate", moved), 1, "",
           f"wandb-imagemask relocate: wandb::relocate_run: {os.path.realpath(moved)}: the run is already synced "
           f"({os.path.basename(mlog)}.synced exists); remove that marker to relocate and sync it again\n")
    check("refusals change nothing", records_of(moved) == after)


def scenario_inspect():
    for binary, name in ((TRAIN, "train"), (TABLE, "table")):
        d = new_run(binary, name)
        reader = subprocess.run([sys.executable, wandb_log.__file__, log_path(d)], capture_output=True, text=True, check=True)
        expect(f"inspect {name} = wandb_log.py", run("inspect", d), 0, reader.stdout, "")
        code, out, err = run("inspect", "--rows", d)
        rows = [row for _, row in history_rows([r for _, _, r in records_of(d)])]
        got = [json.loads(line) for line in out.splitlines()]
        expect(f"inspect --rows {name}", (code, "", err), 0, "", "")
        check(f"inspect --rows {name} rows", json.dumps(got, sort_keys=True) == json.dumps(rows, sort_keys=True))
    # --follow: a log that grows while it is read, in pieces that cut records and chunks anywhere,
    # prints every record once, in order, and ends at the Exit record.
    full = open(log_path(d), "rb").read()
    growing_dir = os.path.join(WORK, "follow")
    os.makedirs(growing_dir, exist_ok=True)
    growing = os.path.join(growing_dir, os.path.basename(log_path(d)))
    exit_offset = next(off for off, _, r in records_of(d) if "exit" in r)
    # the last cut inside the Exit record: the writer appends Exit and Final in one write
    cuts = sorted({c for c in (7, 100, 32768 - 3, 32768 + 5, len(full) // 2, exit_offset + 3, len(full))
                   if c <= len(full)})
    with open(growing, "wb") as f:
        f.write(full[:cuts[0]])
    follower = subprocess.Popen([TOOL, "inspect", "--follow", growing_dir], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    for start, end in zip(cuts, cuts[1:]):
        time.sleep(0.3)  # the follower polls every 100 ms: it sees each piece on its own
        with open(growing, "ab") as f:
            f.write(full[start:end])
    try:
        out, err = follower.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        follower.kill()
        out, err = follower.communicate()
        failures.append("inspect --follow did not end at the Exit record")
    expect("inspect --follow of a growing log = wandb_log.py of the whole log", (follower.returncode, out, err), 0,
           reader.stdout, "")
    # a flipped byte: the records before it, then the problem
    records = records_of(d)
    log = log_path(d)
    data = bytearray(open(log, "rb").read())
    data[records[2][0] + 8] ^= 0x01
    open(log, "wb").write(data)
    code, out, err = run("inspect", d)
    expect("inspect a corrupt log", (code, len(out.splitlines()), err), 1, 2,
           f"{d}: log: CRC mismatch in chunk at offset {records[2][0]}\n")


def fake_wandb(bin_dir, exit_code):
    """A `wandb` on PATH that records its arguments, and whether every staged file the logs of the
    runs it is given name exists at the moment it is called, then exits with `exit_code`."""
    os.makedirs(bin_dir, exist_ok=True)
    path = os.path.join(bin_dir, "wandb")
    with open(path, "w") as f:
        f.write(f"""#!{sys.executable}
import json, os, sys
sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
import wandb_log
found = []
for arg in sys.argv[1:]:
    if os.path.isdir(arg):
        log = next(os.path.join(arg, n) for n in os.listdir(arg) if n.endswith(".wandb"))
        with open(log, "rb") as fh:
            records = [wandb_log.decode_record(b) for _, b in wandb_log.read_records(fh.read())]
        found.append(all(os.path.isfile(e["local_path"]) for r in records if "artifact" in r
                         for e in r["artifact"]["manifest"]["contents"]))
with open(os.path.join({bin_dir!r}, "calls.jsonl"), "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv[1:], "staged_files_found": found}}) + "\\n")
sys.exit({exit_code})
""")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def calls(bin_dir):
    path = os.path.join(bin_dir, "calls.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def scenario_sync():
    bin_dir = os.path.join(WORK, "bin")
    shutil.rmtree(bin_dir, ignore_errors=True)
    wandb = fake_wandb(bin_dir, 3)
    env = dict(os.environ, PATH=bin_dir + ":/usr/bin:/bin")

    # a moved table run: verified, relocated, verified again, then `wandb sync ARGS DIR`
    original = new_run(TABLE, "cluster")
    before = records_of(original)
    d = copy_run(original, os.path.join(WORK, "laptop"))
    remove_tree(os.path.join(WORK, "cluster"))
    now = os.path.realpath(d)
    name, _, entries = staged_entries(before)[0]
    line = summary(before)
    expect("sync a moved run", run("sync", d, "--", "--project", "p", "--entity", "e x", env=env), 3,
           f"{d}: {line}: 1 problem\n"
           f"{d}: relocated {len(entries)} paths in 1 record from {original} to {now}\n"
           f"{d}: {line}: ok\n",
           f"{d}: {moved_message(name, len(entries), entries[0]['local_path'])}\n"
           f"wandb-imagemask sync: running {wandb} sync --project p --entity 'e x' {d}\n")
    check("wandb called once with ARGS then the run, after relocation",
          calls(bin_dir) == [{"argv": ["sync", "--project", "p", "--entity", "e x", d], "staged_files_found": [True]}],
          str(calls(bin_dir)))

    # a run with a problem is not uploaded, unless --force
    good = new_run(TRAIN, "train")
    records = records_of(good)
    media = media_of(records)
    path = sorted(media)[0]
    os.remove(os.path.join(good, "files", path))
    problem = f"{good}: files/{path}: missing (named in the History record at offset {media[path][2]})\n"
    expect("sync a damaged run", run("sync", good, d, env=env), 1,
           f"{good}: {summary(records)}: 1 problem\n{d}: {line}: ok\n",
           problem + f"{good}: not synced: fix the problems above, or pass --force to upload the run as it is\n"
                     "wandb-imagemask sync: nothing uploaded\n")
    check("wandb not called for a damaged run", len(calls(bin_dir)) == 1, str(calls(bin_dir)))
    expect("sync --force", run("sync", "--force", good, env=env), 3, f"{good}: {summary(records)}: 1 problem\n",
           problem + f"wandb-imagemask sync: running {wandb} sync {good}\n")
    check("wandb called with --force", calls(bin_dir)[-1]["argv"] == ["sync", good], str(calls(bin_dir)))

    # a run still being written is not uploaded
    with Locked(log_path(d)):
        expect("sync an open run", run("sync", d, env=env), 1, None,
               f"{d}: not synced: the run is still being written; `wandb beta sync --live {d}` uploads a run while "
               f"it is written\nwandb-imagemask sync: nothing uploaded\n")
    check("wandb not called for an open run", len(calls(bin_dir)) == 2, str(calls(bin_dir)))

    # the exit status of wandb is returned
    ok_bin = os.path.join(WORK, "bin0")
    shutil.rmtree(ok_bin, ignore_errors=True)
    fake_wandb(ok_bin, 0)
    code, _, _ = run("sync", d, env=dict(os.environ, PATH=ok_bin + ":/usr/bin:/bin"))
    check("exit status 0 of wandb returned", code == 0, str(code))

    # no wandb on PATH: how to install it, exit 127, nothing changed
    moved = copy_run(d, os.path.join(WORK, "elsewhere"))
    unchanged = open(log_path(moved), "rb").read()
    empty = os.path.join(WORK, "empty")
    os.makedirs(empty, exist_ok=True)
    expect("sync without wandb", run("sync", moved, env=dict(os.environ, PATH=empty)), 127, "",
           "wandb-imagemask sync: the W&B command-line tool `wandb` is not on PATH; install it with\n"
           "  pip install wandb\n"
           "then log in with `wandb login`, or copy the run to a machine that has it\n")
    check("nothing relocated without wandb", open(log_path(moved), "rb").read() == unchanged)


def main():
    global TOOL, TRAIN, TABLE, WORK
    scenario, TOOL, TRAIN, TABLE, WORK = sys.argv[1:6]
    WORK = os.path.abspath(WORK)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    globals()["scenario_" + scenario]()
    for f in failures:
        print("FAIL:", f)
    print(f"tool {scenario}:", "FAILED" if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
