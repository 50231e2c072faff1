#!/usr/bin/env python3
"""Times one repetition of a bench_run workload through the real W&B Python SDK (offline mode,
its pure-Python internal process), on the .npy inputs `bench_run inputs DIR` wrote.

usage: sdk_run.py WORKLOAD DIR     WORKLOAD: scalars | image | images16 | table

Needs the SDK importable with its own pure-Python service: PYTHONPATH=<a W&B source tree from
commit c7e38e8096> and WANDB__REQUIRE_CORE=false (bench/compare --sdk sets both; see
bench/README.md for the Debian packages). The workloads are bench_run.cpp's, call for call:

  scalars   20,000 run.log({"loss": x, "accuracy": y})
  image     100 steps: wandb.Image(rgb, masks={"predictions": ..., "ground_truth": ...}), run.log
  images16  10 steps of 16 such images as one list under one key
  table     wandb.Table(columns=["id", "image"]), 200 add_data(i, wandb.Image(...)), run.log once

A timed call is building the media objects plus run.log. Prints one line of "field value" pairs,
the fields bench_run prints plus teardown_ms (wandb.teardown(): the service process exits),
user_cpu_ms and service_cpu_ms (cpu_ms is their sum: this process from just before wandb.init to
the end of teardown, and every process it waited for, i.e. the service, from RUSAGE_CHILDREN),
service_peak_mib (the service's VmHWM just before teardown) and backend (the service's command).
"""
import os
import resource
import sys
import time

# Before wandb is imported: a dev build of the SDK would otherwise require wandb-core (Go).
os.environ["WANDB__REQUIRE_CORE"] = "false"
os.environ.setdefault("WANDB_SILENT", "true")  # as bench_run's quiet=true: no terminal chatter

import numpy as np  # noqa: E402

IMPORT_START = time.perf_counter()
import wandb  # noqa: E402

IMPORT_MS = (time.perf_counter() - IMPORT_START) * 1e3

SCALAR_STEPS, IMAGE_STEPS, IMAGES16_STEPS, STEP_SETS, TABLE_ROWS = 20000, 100, 10, 16, 200
CLASSES = 21
MIB = 1024.0 * 1024.0


def status_kib(field, pid="self"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def cpu_ms(usage):
    return (usage.ru_utime + usage.ru_stime) * 1e3


def child_pids():
    """Processes whose parent is this one (the SDK's service, started by wandb.init)."""
    me, out = os.getpid(), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == me:
                out.append(int(entry))
    return out


def command_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def masked_image(rgb, masks, i, labels):
    return wandb.Image(rgb[i], masks={"predictions": {"mask_data": masks[2 * i], "class_labels": labels},
                                      "ground_truth": {"mask_data": masks[2 * i + 1], "class_labels": labels}})


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("scalars", "image", "images16", "table"):
        sys.exit(__doc__)
    workload, data = sys.argv[1], sys.argv[2]
    root = os.path.abspath(os.path.join(data, f"sdk-{workload}-{os.getpid()}"))
    # Everything the SDK writes (run dir, artifact staging, caches, settings) stays below root.
    for var, sub in (("WANDB_DATA_DIR", "data"), ("WANDB_CACHE_DIR", "cache"), ("WANDB_CONFIG_DIR", "config"),
                     ("WANDB_ARTIFACT_DIR", "artifacts")):
        os.environ[var] = os.path.join(root, sub)
    os.makedirs(root)
    os.chdir(root)  # not inside a git repository: the SDK's git lookup finds nothing, as for ours

    base_mib = status_kib("VmRSS") / 1024.0  # before the inputs are loaded
    rgb = masks = None
    if workload in ("image", "images16"):
        rgb, masks = np.load(os.path.join(data, "step_rgb.npy")), np.load(os.path.join(data, "step_masks.npy"))
    elif workload == "table":
        rgb, masks = np.load(os.path.join(data, "table_rgb.npy")), np.load(os.path.join(data, "table_masks.npy"))
    input_mib = (rgb.nbytes + masks.nbytes) / MIB if rgb is not None else 0.0
    labels = {c: f"class_{c}" for c in range(CLASSES)}

    call_us, build_us, log_us = [], [], []
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    run = wandb.init(mode="offline", dir=root, project="bench")
    init_ms = (time.perf_counter() - start) * 1e3
    clock = time.perf_counter
    if workload == "scalars":
        for i in range(SCALAR_STEPS):
            loss, accuracy = 1.0 / (1.0 + i * 1e-3), i / SCALAR_STEPS
            a = clock()
            run.log({"loss": loss, "accuracy": accuracy})
            call_us.append((clock() - a) * 1e6)
    elif workload in ("image", "images16"):
        for s in range(IMAGE_STEPS if workload == "image" else IMAGES16_STEPS):
            a = clock()
            if workload == "image":
                row = {"examples": masked_image(rgb, masks, s % STEP_SETS, labels)}
            else:
                row = {"examples": [masked_image(rgb, masks, i, labels) for i in range(STEP_SETS)]}
            b = clock()
            run.log(row)
            c = clock()
            build_us.append((b - a) * 1e6)
            log_us.append((c - b) * 1e6)
            call_us.append((c - a) * 1e6)
    else:
        a = clock()
        table = wandb.Table(columns=["id", "image"])
        for i in range(TABLE_ROWS):
            table.add_data(i, masked_image(rgb, masks, i, labels))
        b = clock()
        run.log({"table": table})
        c = clock()
        build_us.append((b - a) * 1e6)
        log_us.append((c - b) * 1e6)
        call_us.append((c - a) * 1e6)
    finish_start = clock()
    run.finish()
    end = clock()
    run_dir = os.path.dirname(run.dir)  # run.dir is <run dir>/files

    services = child_pids()
    backend = "+".join(command_of(p) for p in services) or "none"
    service_peak_mib = sum(max(status_kib("VmHWM", p), 0) for p in services) / 1024.0
    peak_mib = status_kib("VmHWM") / 1024.0
    teardown_start = clock()
    wandb.teardown()
    teardown_ms = (clock() - teardown_start) * 1e3
    user_cpu = cpu_ms(resource.getrusage(resource.RUSAGE_SELF)) - cpu_ms(cpu_start)
    service_cpu = cpu_ms(resource.getrusage(resource.RUSAGE_CHILDREN))

    files = png_bytes = log_bytes = 0
    for d, _, names in os.walk(root):
        for n in names:
            path = os.path.join(d, n)
            files += 1
            if is_png(path):
                png_bytes += os.path.getsize(path)
            if n.endswith(".wandb"):
                log_bytes += os.path.getsize(path)
    if not os.path.isdir(run_dir) or log_bytes == 0:
        sys.exit(f"sdk_run.py: no run log below {root}")

    def med(v):
        return float(np.median(v)) if v else 0.0

    print(f"workload {workload} threads 1 calls {len(call_us)} call_us {med(call_us):.3f} build_us {med(build_us):.3f} "
          f"log_us {med(log_us):.3f} init_ms {init_ms:.3f} finish_ms {(end - finish_start) * 1e3:.3f} "
          f"run_ms {(end - start) * 1e3:.3f} cpu_ms {user_cpu + service_cpu:.3f} base_mib {base_mib:.2f} "
          f"peak_mib {peak_mib:.2f} input_mib {input_mib:.2f} encoded_mib {png_bytes / MIB:.3f} files {files} "
          f"log_bytes {log_bytes} teardown_ms {teardown_ms:.3f} user_cpu_ms {user_cpu:.3f} "
          f"service_cpu_ms {service_cpu:.3f} service_peak_mib {service_peak_mib:.2f} import_ms {IMPORT_MS:.1f} "
          f"backend {backend.replace(' ', '_')}", flush=True)
    if not os.environ.get("BENCH_RUN_KEEP"):
        import shutil
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
