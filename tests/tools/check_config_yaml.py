#!/usr/bin/python3
"""Reads config.yaml files back with Debian's python3-yaml (PyYAML) `safe_load`, as W&B's tools
read them, and compares each with the config it was written from.

Usage: check_config_yaml.py DIR
DIR holds case_<n>.yaml (what the library wrote) and case_<n>.json (the same config as JSON text,
NaN and Infinity as Python's json module reads them). Each YAML must load to exactly
{key: {"value": value}} for every key of the JSON: same types (an int is not a float, a bool is
not an int), same floats bit for bit (-0.0 is not 0.0, NaN equals NaN), same strings.
Prints one line per mismatch and closes with "N passed, M failed"; exit status 1 on any failure.
"""
import json
import math
import pathlib
import struct
import sys

import yaml


def same(a, b):
    """Exact equality of JSON-like values, types included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def main():
    directory = pathlib.Path(sys.argv[1])
    passed = failed = 0
    for json_path in sorted(directory.glob("case_*.json")):
        yaml_path = json_path.with_suffix(".yaml")
        config = json.loads(json_path.read_text(encoding="utf-8"))
        expected = {key: {"value": value} for key, value in config.items()}
        text = yaml_path.read_text(encoding="utf-8")
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as error:
            loaded = error
        if loaded is None:
            loaded = {}  # an empty config is an empty file
        if same(loaded, expected):
            passed += 1
        else:
            failed += 1
            print(f"{yaml_path.name}: expected {expected!r}")
            print(f"{yaml_path.name}: loaded   {loaded!r}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
