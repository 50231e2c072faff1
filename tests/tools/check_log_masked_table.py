#!/usr/bin/env python3
"""Checks the offline run examples/log_masked_table writes, independently of the library: runs it,
reads the .wandb log with wandb_log.py, and checks the run_table artifact (manifest, staged files,
digests), the table JSON against the spec's example, the classes file, the masks (PIL) and the
history value against the run-side file (hashlib, json).

Usage: check_log_masked_table.py EXAMPLE_BINARY WORK_DIR
"""
import base64
import hashlib
import json
import os
import re
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from media_check import history_rows, nested_key_problems, quadrants, read_run_records, run_offline_example  # noqa: E402

LABELS = {"0": "person", "1": "tree", "2": "car", "3": "road"}
# wandb-tables-artifacts.md section 1.2/1.3: exact, and independent of the PNG bytes.
CLASSES_FILE = ('{"_type": "classes", "class_set": [{"id": 0, "name": "person"}, {"id": 1, "name": "tree"}, '
                '{"id": 2, "name": "car"}, {"id": 3, "name": "road"}]}')
CLASSES_PATH = "media/classes/59767aa87cb78a13bc44b0baac9a4749_cls.classes.json"
CLASSES_DIGEST = "nAtirc7yVVckCg0dfw7yvg=="
COLUMN_TYPES = json.loads("""{"params": {"type_map": {"image": {"params": {"allowed_types": [{"params": {"box_class_maps": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_layers": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_score_keys": {"params": {"is_set": true, "val": []}, "wb_type": "const"}, "class_map": {"params": {"is_set": false, "val": {"0": "person", "1": "tree", "2": "car", "3": "road"}}, "wb_type": "const"}, "mask_class_maps": {"params": {"is_set": false, "val": {"ground_truth": {"0": "person", "1": "tree", "2": "car", "3": "road"}, "predictions": {"0": "person", "1": "tree", "2": "car", "3": "road"}}}, "wb_type": "const"}, "mask_layers": {"params": {"is_set": false, "val": {"ground_truth": [0, 1, 2, 3], "predictions": [0, 1, 2, 3]}}, "wb_type": "const"}}, "wb_type": "image-file"}, {"wb_type": "none"}]}, "wb_type": "union"}}}, "wb_type": "typedDict"}""")


def md5(data):
    return hashlib.md5(data).digest()



def main():
    binary, work = sys.argv[1], sys.argv[2]
    _, run_dir, run_id = run_offline_example(binary, work)
    files_dir = os.path.join(run_dir, "files")
    errors = []
    fail = errors.append

    records, kinds = read_run_records(run_dir, run_id)
    artifacts = [r["artifact"] for r in records if "artifact" in r]
    if len(artifacts) != 1:
        fail(f"{len(artifacts)} Artifact records")
        artifacts = [{}]
    art = artifacts[0]
    a_index = kinds.index("artifact") if "artifact" in kinds else -1
    if kinds[a_index + 1: a_index + 3] != ["files", "history"]:
        fail(f"records after the artifact: {kinds[a_index + 1: a_index + 3]}, expected files, history")
    for k, v in {"run_id": run_id, "project": "image_mask_example", "type": "run_table",
                 "name": f"run-{run_id}-random_field", "aliases": ["latest"], "finalize": True}.items():
        if art.get(k) != v:
            fail(f"artifact {k} = {art.get(k)!r}, expected {v!r}")
    for k in ("client_id", "sequence_client_id"):
        if not re.fullmatch(r"[a-z0-9]{128}", art.get(k, "")):
            fail(f"artifact {k} is not 128 characters [a-z0-9]")
    manifest = art.get("manifest", {})
    if (manifest.get("version"), manifest.get("storage_policy")) != (1, "wandb-storage-policy-v1"):
        fail(f"manifest version/policy {manifest.get('version')} {manifest.get('storage_policy')}")
    if manifest.get("storage_policy_config") != [{"key": "storageLayout", "value_json": '"V2"'}]:
        fail(f"storage_policy_config {manifest.get('storage_policy_config')}")
    contents = manifest.get("contents", [])
    paths = [e["path"] for e in contents]
    if paths != sorted(paths):
        fail("manifest entries are not sorted by path")
    staged = {}
    for e in contents:
        local = e.get("local_path", "")
        if not os.path.isabs(local) or not os.path.isfile(local):
            fail(f"{e['path']}: local_path {local!r} is not an existing absolute path")
            continue
        with open(local, "rb") as f:
            data = f.read()
        staged[e["path"]] = data
        if base64.b64encode(md5(data)).decode() != e.get("digest") or len(data) != e.get("size"):
            fail(f"{e['path']}: digest/size do not match the staged file")
    digest_input = "wandb-artifact-manifest-v1\n" + "".join(f"{p}:{e['digest']}\n" for p, e in sorted((e["path"], e) for e in contents))
    if hashlib.md5(digest_input.encode()).hexdigest() != art.get("digest"):
        fail("artifact digest does not match the manifest")

    if staged.get(CLASSES_PATH, b"").decode() != CLASSES_FILE:
        fail(f"classes file {staged.get(CLASSES_PATH)!r}")
    table_bytes = staged.get("random_field.table.json", b"{}")
    table = json.loads(table_bytes)
    if json.dumps(table, sort_keys=True).encode() != table_bytes:
        fail("random_field.table.json is not written as Python's json.dumps(sort_keys=True)")
    for k, v in {"_type": "table", "columns": ["image"], "ncols": 1, "nrows": 1, "log_mode": "IMMUTABLE",
                 "column_types": COLUMN_TYPES}.items():
        if table.get(k) != v:
            fail(f"table {k} = {json.dumps(table.get(k))[:200]}")
    cell = table.get("data", [[{}]])[0][0]
    for k, v in {"_type": "image-file", "format": "png", "width": 100, "height": 100,
                 "classes": {"type": "classes-file", "path": CLASSES_PATH, "digest": CLASSES_DIGEST}}.items():
        if cell.get(k) != v:
            fail(f"image cell {k} = {cell.get(k)!r}")
    members = [(cell.get("path", ""), cell, "media/images/", ".png")]
    members += [(m.get("path", ""), m, "media/images/mask/", ".mask.png") for m in cell.get("masks", {}).values()]
    for path, payload, prefix, ext in members:
        data = staged.get(path)
        if data is None:
            fail(f"{path} is not in the manifest")
            continue
        if path != prefix + md5(data).hex()[:20] + ext:
            fail(f"{path} is not named by its md5")
        if hashlib.sha256(data).hexdigest() != payload.get("sha256"):
            fail(f"{path}: sha256 does not match")
    if sorted(cell.get("masks", {})) != ["ground_truth", "predictions"]:
        fail(f"masks {sorted(cell.get('masks', {}))}")
    local_paths = {e["path"]: e.get("local_path") for e in contents}
    for name, split in (("predictions", 50), ("ground_truth", 25)):
        path = cell.get("masks", {}).get(name, {}).get("path")
        if path in staged:
            with Image.open(local_paths[path]) as im:
                if im.mode != "L" or list(im.getdata()) != quadrants(split):
                    fail(f"mask {name} does not decode to the example's class ids")

    for p in nested_key_problems(records):
        fail(p)
    value = history_rows(records)[0][1]["random_field"]
    keys = ["_type", "sha256", "size", "artifact_path", "_latest_artifact_path", "path", "ncols", "nrows", "log_mode"]
    if list(value) != keys:
        fail(f"history value keys {list(value)}")
    run_file = os.path.join(files_dir, value.get("path", ""))
    if not re.fullmatch(r"media/table/random_field_0_[0-9a-f]{20}\.table\.json", value.get("path", "")):
        fail(f"run-side path {value.get('path')}")
    with open(run_file, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != value["sha256"] or len(data) != value["size"] or value["sha256"][:20] not in value["path"]:
        fail("run-side table file does not match its sha256/size")
    if json.loads(data) != {"columns": ["image"], "data": [["Image"]]}:
        fail(f"run-side table file {data!r}")
    if value.get("artifact_path") != f"wandb-client-artifact://{art.get('client_id')}/random_field.table.json":
        fail(f"artifact_path {value.get('artifact_path')}")
    if value.get("_latest_artifact_path") != f"wandb-client-artifact://{art.get('sequence_client_id')}:latest/random_field.table.json":
        fail(f"_latest_artifact_path {value.get('_latest_artifact_path')}")
    announced = {i["path"] for r in records if "files" in r for i in r["files"]["files"]}
    if value.get("path") not in announced:
        fail("the run-side table file is not announced in a Files record")
    for e in errors:
        print("FAIL:", e)
    print(f"checked {len(contents)} artifact entries:", "FAILED" if errors else "OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
