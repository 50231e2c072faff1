#!/usr/bin/env python3
"""Independent checker for W&B `.wandb` transaction logs (python3 standard library only).

Written from the format description, not from the C++ code:

* bytes 0..6: b":W&B", uint16 LE magic 0xBEE1, uint8 version 0;
* then a LevelDB log of 32768-byte blocks counted from file offset 0 (block 0 loses its first
  7 bytes to the header); a chunk is uint32 LE CRC, uint16 LE length, uint8 type (FULL 1, FIRST 2,
  MIDDLE 3, LAST 4) and data; CRC = zlib.crc32(type byte + data); chunks never cross a block end;
  fewer than 7 bytes left in a block are zero padding; FIRST and MIDDLE chunks run to the block end;
* each record is a protobuf wandb_internal.Record.

Usage:
  wandb_log.py LOG                    print one JSON line per record: {"offset": N, "record": {...}}
  wandb_log.py --check LOG            validate only; exit 1 on any problem (truncated or corrupt)
  wandb_log.py --compare EXPECTED LOG also compare record by record with EXPECTED (JSON lines of the
                                      same shape, compared as canonical JSON text); exit 1 on the first
                                      difference
  wandb_log.py --expect FILE LOG      FILE holds "<truncated|corrupt> OFFSET": exit 0 only if the log's
                                      first problem is exactly that
  wandb_log.py --rows EXPECTED LOG    reassemble every History record's row from its items and compare
                                      it with EXPECTED (one JSON row per line), _runtime and _timestamp
                                      left out, as canonical JSON text (NaN spelled NaN); exit 1 on the
                                      first difference
Problems go to stderr as "<truncated|corrupt> at offset N: message". Exit 2 on usage or I/O errors.
"""

import argparse
import json
import struct
import sys
import zlib

BLOCK = 32768
HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
TYPE_NAMES = {FULL: "FULL", FIRST: "FIRST", MIDDLE: "MIDDLE", LAST: "LAST"}


class Problem(Exception):
    def __init__(self, kind, offset, message):
        super().__init__(message)
        self.kind = kind  # "truncated" or "corrupt"
        self.offset = offset
        self.message = message


def read_records(data):
    """Yields (offset, bytes) per record; raises Problem at the first problem."""
    if len(data) < 7:
        raise Problem("corrupt", 0, "file shorter than the 7-byte header")
    ident, magic, version = struct.unpack_from("<4sHB", data, 0)
    if ident != b":W&B":
        raise Problem("corrupt", 0, "bad identifier %r" % ident)
    if magic != 0xBEE1:
        raise Problem("corrupt", 4, "bad magic 0x%04X" % magic)
    if version != 0:
        raise Problem("corrupt", 6, "unsupported version %d" % version)

    pos = 7
    size = len(data)
    record = None  # bytearray of the record being assembled
    start = 0
    while True:
        if pos >= size:
            if record is not None:
                raise Problem("truncated", start, "file ends inside the record")
            return
        left = BLOCK - pos % BLOCK
        if left < HEADER:
            pad = data[pos:pos + left]
            for i, b in enumerate(pad):
                if b:
                    raise Problem("corrupt", pos + i, "non-zero padding byte")
            if len(pad) < left:
                raise Problem("truncated", pos, "file ends inside block padding")
            pos += left
            continue
        tail = start if record is not None else pos
        if size - pos < HEADER:
            raise Problem("truncated", tail, "file ends inside a chunk header")
        crc, length, ctype = struct.unpack_from("<IHB", data, pos)
        if crc == 0 and length == 0 and ctype == 0:
            if not any(data[pos:]):
                raise Problem("truncated", tail, "zero bytes up to the end of the file")
            raise Problem("corrupt", pos, "all-zero chunk header")
        if length > left - HEADER:
            raise Problem("corrupt", pos, "chunk length %d overruns its block" % length)
        if pos + HEADER + length > size:
            raise Problem("truncated", tail, "file ends inside chunk data")
        body = data[pos + HEADER:pos + HEADER + length]
        if zlib.crc32(bytes([ctype]) + body) & 0xFFFFFFFF != crc:
            raise Problem("corrupt", pos, "CRC mismatch")
        if ctype not in TYPE_NAMES:
            raise Problem("corrupt", pos, "invalid chunk type %d" % ctype)
        if ctype in (FULL, FIRST):
            if record is not None:
                raise Problem("corrupt", pos, "%s chunk inside a record" % TYPE_NAMES[ctype])
            record, start = bytearray(), pos
        elif record is None:
            raise Problem("corrupt", pos, "%s chunk outside a record" % TYPE_NAMES[ctype])
        record += body
        chunk_at = pos
        pos += HEADER + length
        if ctype in (FULL, LAST):
            yield start, bytes(record)
            record = None
        elif pos % BLOCK != 0:
            raise Problem("corrupt", chunk_at, "%s chunk does not fill its block" % TYPE_NAMES[ctype])


# --- protobuf ----------------------------------------------------------------------------------
#
# The messages this checker decodes, by name, as wandb_internal.proto, wandb_base.proto
# (_RecordInfo) and google/protobuf/timestamp.proto define them: field number -> (name, type,
# repeated), a type being a scalar (SCALARS), an enum (ENUMS: value names by number) or a message
# (MESSAGES). Record types and fields not listed (telemetry, RunRecord.settings, the GPU details of
# EnvironmentRecord, ...) decode under their numbers. A map field is the repeated entry message
# protoc makes of it (DiskEntry: key = 1, value = 2). test_wandb_log_schema.py checks these tables
# against tests/data/wandb_proto_fields.txt, the facts read from W&B's .proto files.

SCALARS = ("string", "int64", "int32", "uint32", "uint64", "bool")


def f(name, type_, repeated=False):
    return (name, type_, repeated)


ENUMS = {
    "PolicyType": ["NOW", "END", "LIVE"],
    "FileType": ["OTHER", "WANDB", "MEDIA", "ARTIFACT"],
    "StatsType": ["SYSTEM"],
    "MetricGoal": ["GOAL_UNSET", "GOAL_MINIMIZE", "GOAL_MAXIMIZE"],
}
INFO = f("_info", "_RecordInfo")
ITEM = {1: f("key", "string"), 2: f("nested_key", "string", True), 16: f("value_json", "string")}
KEY_VALUE = {1: f("key", "string"), 2: f("value_json", "string")}
MESSAGES = {
    "_RecordInfo": {1: f("stream_id", "string"), 100: f("_tracelog_id", "string")},
    "Timestamp": {1: f("seconds", "int64"), 2: f("nanos", "int32")},
    "Control": {1: f("req_resp", "bool"), 2: f("local", "bool"), 3: f("relay_id", "string"),
                4: f("mailbox_slot", "string"), 5: f("always_send", "bool"), 6: f("flow_control", "bool"),
                7: f("end_offset", "int64"), 8: f("connection_id", "string")},
    "HeaderRecord": {1: f("version_info", "VersionInfo"), 200: INFO},
    "VersionInfo": {1: f("producer", "string"), 2: f("min_consumer", "string"), 200: INFO},
    "HistoryRecord": {1: f("item", "HistoryItem", True), 2: f("step", "HistoryStep"), 200: INFO},
    "HistoryItem": ITEM,
    "HistoryStep": {1: f("num", "int64")},
    "ConfigRecord": {1: f("update", "ConfigItem", True), 2: f("remove", "ConfigItem", True), 200: INFO},
    "ConfigItem": ITEM,
    "SummaryRecord": {1: f("update", "SummaryItem", True), 2: f("remove", "SummaryItem", True), 200: INFO},
    "SummaryItem": ITEM,
    "FilesRecord": {1: f("files", "FilesItem", True), 200: INFO},
    "FilesItem": {1: f("path", "string"), 2: f("policy", "PolicyType"), 3: f("type", "FileType")},
    "StatsRecord": {1: f("stats_type", "StatsType"), 2: f("timestamp", "Timestamp"), 3: f("item", "StatsItem", True),
                    200: INFO},
    "StatsItem": {1: f("key", "string"), 16: f("value_json", "string")},
    "MetricRecord": {1: f("name", "string"), 2: f("glob_name", "string"), 4: f("step_metric", "string"),
                     5: f("step_metric_index", "int32"), 6: f("options", "MetricOptions"),
                     7: f("summary", "MetricSummary"), 8: f("goal", "MetricGoal"), 9: f("_control", "MetricControl"),
                     10: f("expanded_from_glob", "bool"), 200: INFO},
    "MetricOptions": {1: f("step_sync", "bool"), 2: f("hidden", "bool"), 3: f("defined", "bool")},
    "MetricSummary": {n + 1: f(name, "bool")
                      for n, name in enumerate(["min", "max", "mean", "best", "last", "none", "copy", "first"])},
    "MetricControl": {1: f("overwrite", "bool")},
    "ArtifactRecord": {
        1: f("run_id", "string"), 2: f("project", "string"), 3: f("entity", "string"), 4: f("type", "string"),
        5: f("name", "string"), 6: f("digest", "string"), 7: f("description", "string"),
        8: f("metadata", "string"), 9: f("user_created", "bool"), 10: f("use_after_commit", "bool"),
        11: f("aliases", "string", True), 12: f("manifest", "ArtifactManifest"), 13: f("distributed_id", "string"),
        14: f("finalize", "bool"), 15: f("client_id", "string"), 16: f("sequence_client_id", "string"),
        17: f("base_id", "string"), 18: f("ttl_duration_seconds", "int64"), 19: f("tags", "string", True),
        100: f("incremental_beta1", "bool"), 200: INFO},
    "ArtifactManifest": {1: f("version", "int32"), 2: f("storage_policy", "string"),
                         3: f("storage_policy_config", "StoragePolicyConfigItem", True),
                         4: f("contents", "ArtifactManifestEntry", True), 5: f("manifest_file_path", "string")},
    "ArtifactManifestEntry": {
        1: f("path", "string"), 2: f("digest", "string"), 3: f("ref", "string"), 4: f("size", "int64"),
        5: f("mimetype", "string"), 6: f("local_path", "string"), 7: f("birth_artifact_id", "string"),
        8: f("skip_cache", "bool"), 16: f("extra", "ExtraItem", True)},
    "ExtraItem": KEY_VALUE,
    "StoragePolicyConfigItem": KEY_VALUE,
    "RunRecord": {
        1: f("run_id", "string"), 2: f("entity", "string"), 3: f("project", "string"), 4: f("config", "ConfigRecord"),
        5: f("summary", "SummaryRecord"), 6: f("run_group", "string"), 7: f("job_type", "string"),
        8: f("display_name", "string"), 9: f("notes", "string"), 10: f("tags", "string", True),
        12: f("sweep_id", "string"), 13: f("host", "string"), 14: f("starting_step", "int64"),
        16: f("storage_id", "string"), 17: f("start_time", "Timestamp"), 18: f("resumed", "bool"),
        20: f("runtime", "int32"), 21: f("git", "GitRepoRecord"), 22: f("forked", "bool"), 200: INFO},
    "GitRepoRecord": {1: f("remote_url", "string"), 2: f("commit", "string")},
    "RunExitRecord": {1: f("exit_code", "int32"), 2: f("runtime", "int32"), 200: INFO},
    "FinalRecord": {200: INFO},
    "EnvironmentRecord": {
        1: f("os", "string"), 2: f("python", "string"), 3: f("started_at", "Timestamp"), 4: f("docker", "string"),
        5: f("args", "string", True), 6: f("program", "string"), 7: f("code_path", "string"),
        8: f("code_path_local", "string"), 9: f("git", "GitRepoRecord"), 10: f("email", "string"),
        11: f("root", "string"), 12: f("host", "string"), 13: f("username", "string"), 14: f("executable", "string"),
        15: f("colab", "string"), 16: f("cpu_count", "uint32"), 17: f("cpu_count_logical", "uint32"),
        18: f("gpu_type", "string"), 19: f("gpu_count", "uint32"), 20: f("disk", "DiskEntry", True),
        21: f("memory", "MemoryInfo"), 22: f("cpu", "CpuInfo"), 24: f("gpu_nvidia", "GpuNvidiaInfo", True),
        25: f("cuda_version", "string"),
        27: f("slurm", "SlurmEntry", True), 199: f("writer_id", "string"), 200: INFO},
    "DiskEntry": {1: f("key", "string"), 2: f("value", "DiskInfo")},
    "DiskInfo": {1: f("total", "uint64"), 2: f("used", "uint64")},
    "MemoryInfo": {1: f("total", "uint64")},
    "GpuNvidiaInfo": {1: f("name", "string"), 2: f("memory_total", "uint64"), 3: f("cuda_cores", "uint32"),
                      4: f("architecture", "string"), 5: f("uuid", "string")},
    "CpuInfo": {1: f("count", "uint32"), 2: f("count_logical", "uint32")},
    "SlurmEntry": {1: f("key", "string"), 2: f("value", "string")},
    "Record": {
        1: f("num", "int64"), 2: f("history", "HistoryRecord"), 3: f("summary", "SummaryRecord"),
        5: f("config", "ConfigRecord"), 6: f("files", "FilesRecord"), 7: f("stats", "StatsRecord"),
        8: f("artifact", "ArtifactRecord"), 12: f("metric", "MetricRecord"), 16: f("control", "Control"),
        17: f("run", "RunRecord"), 18: f("exit", "RunExitRecord"), 19: f("uuid", "string"),
        20: f("final", "FinalRecord"), 21: f("header", "HeaderRecord"), 26: f("environment", "EnvironmentRecord"),
        200: INFO},
}


class DecodeError(Exception):
    pass


def varint(buf, i):
    value = shift = 0
    while True:
        if i >= len(buf):
            raise DecodeError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, i
        shift += 7
        if shift >= 70:
            raise DecodeError("varint too long")


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0")
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            if i + 8 > len(buf):
                raise DecodeError("truncated I64")
            value, i = struct.unpack_from("<Q", buf, i)[0], i + 8
        elif wire == 5:
            if i + 4 > len(buf):
                raise DecodeError("truncated I32")
            value, i = struct.unpack_from("<I", buf, i)[0], i + 4
        elif wire == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise DecodeError("length-delimited field overruns its message")
            value, i = bytes(buf[i:i + n]), i + n
        else:
            raise DecodeError("unsupported wire type %d" % wire)
        yield number, wire, value


def signed(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def decode(buf, message):
    schema = MESSAGES[message]
    out = {}
    for number, wire, value in fields(buf):
        if number not in schema:
            v = value.hex() if wire == 2 else value
            key = str(number)
            if key in out:
                if not isinstance(out[key], list):
                    out[key] = [out[key]]
                out[key].append(v)
            else:
                out[key] = v
            continue
        name, type_, repeated = schema[number]
        expected_wire = 2 if type_ == "string" or type_ in MESSAGES else 0
        if wire != expected_wire:
            raise DecodeError("%s has wire type %d, expected %d" % (name, wire, expected_wire))
        if type_ == "string":
            v = value.decode("utf-8")  # strict: raises on invalid UTF-8
        elif type_ == "int64":
            v = signed(value, 64)
        elif type_ == "int32":
            v = signed(value, 32)
        elif type_ in ("uint32", "uint64"):
            v = value
        elif type_ == "bool":
            v = value != 0
        elif type_ in ENUMS:
            names = ENUMS[type_]
            v = names[value] if value < len(names) else signed(value, 32)
        else:
            v = decode(value, type_)
        if repeated:
            out.setdefault(name, []).append(v)
        else:
            out[name] = v
    return out


def decode_record(data):
    return decode(data, "Record")


# --- history, summary and config items ----------------------------------------------------------
#
# An item names its value by "key" (the whole value as JSON) or by "nested_key" (the path of labels
# to one leaf, as wandb-core writes history and summary rows: one item per leaf, arrays are
# leaves). value_json is JSON plus the bare tokens NaN, Infinity and -Infinity, which Python's json
# module reads natively.

def items_to_row(items):
    """The one object a record's items describe: each value placed at its path, in item order
    (missing objects on the way are made; a later item replaces what an earlier one put at the same
    path)."""
    row = {}
    for i, item in enumerate(items):
        path = item.get("nested_key") or ([item["key"]] if "key" in item else None)
        if not path:
            raise DecodeError("item %d has neither key nor nested_key" % i)
        value = json.loads(item.get("value_json", ""))
        node = row
        for label in path[:-1]:
            if not isinstance(node.get(label), dict):
                node[label] = {}
            node = node[label]
        node[path[-1]] = value
    return row


def history_rows(records):
    """(HistoryRecord, reassembled row) for every History record of decoded records, in order."""
    return [(r["history"], items_to_row(r["history"].get("item", []))) for r in records if "history" in r]


# --- command line ------------------------------------------------------------------------------

def canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compare_rows(expected_path, log):
    try:
        with open(expected_path, encoding="utf-8") as fh:
            expected = [json.loads(line) for line in fh if line.strip()]
        with open(log, "rb") as fh:
            data = fh.read()
        records = [decode_record(body) for _, body in read_records(data)]
        rows = history_rows(records)
    except (OSError, Problem, DecodeError, ValueError) as e:
        print("wandb_log.py: %s" % e, file=sys.stderr)
        return 1
    if len(rows) != len(expected):
        print("%d History records, %s has %d rows" % (len(rows), expected_path, len(expected)), file=sys.stderr)
        return 1
    for n, ((history, row), want) in enumerate(zip(rows, expected)):
        for item in history.get("item", []):
            if "key" in item or not item.get("nested_key"):
                print("row %d: item %s has no nested_key" % (n, canonical(item)), file=sys.stderr)
                return 1
        step = history.get("step", {}).get("num", 0)
        if row.get("_step") != step:
            print("row %d: _step %r but HistoryRecord.step %r" % (n, row.get("_step"), step), file=sys.stderr)
            return 1
        row.pop("_runtime", None)
        row.pop("_timestamp", None)
        if canonical(row) != canonical(want):
            print("row %d differs:\n  log:      %s\n  expected: %s" % (n, canonical(row), canonical(want)),
                  file=sys.stderr)
            return 1
    print("ok: %d rows reassembled from nested_key items" % len(rows))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--check", action="store_true", help="exit 1 on any problem, print no records")
    parser.add_argument("--compare", metavar="EXPECTED", help="JSON lines to compare with, record by record")
    parser.add_argument("--expect", metavar="FILE", help='file holding the expected first problem, "KIND OFFSET"')
    parser.add_argument("--rows", metavar="EXPECTED", help="JSON lines of the rows the History records must hold")
    args = parser.parse_args(argv)
    if args.rows:
        return compare_rows(args.rows, args.log)
    try:
        with open(args.log, "rb") as fh:
            data = fh.read()
        expected = None
        if args.compare:
            with open(args.compare, encoding="utf-8") as fh:
                expected = [json.loads(line) for line in fh if line.strip()]
        expected_problem = None
        if args.expect:
            with open(args.expect, encoding="utf-8") as fh:
                kind, offset = fh.read().split()
                expected_problem = (kind, int(offset))
    except OSError as e:
        print("wandb_log.py: %s" % e, file=sys.stderr)
        return 2

    count = 0
    problem = None
    try:
        for offset, raw in read_records(data):
            try:
                line = {"offset": offset, "record": decode_record(raw)}
            except (DecodeError, UnicodeDecodeError) as e:
                raise Problem("corrupt", offset, "record does not decode: %s" % e)
            if expected is not None:
                if count >= len(expected):
                    print("record %d at offset %d is not in %s" % (count, offset, args.compare), file=sys.stderr)
                    return 1
                got, want = canonical(line), canonical(expected[count])
                if got != want:  # text, so that true != 1 and 1 != 1.0
                    print("record %d differs:\n  log:      %s\n  expected: %s" % (count, got, want), file=sys.stderr)
                    return 1
            if not args.check:
                print(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
            count += 1
    except Problem as p:
        problem = p
    if problem is not None:
        print("%s at offset %d: %s" % (problem.kind, problem.offset, problem.message), file=sys.stderr)
    if expected_problem is not None:
        found = (problem.kind, problem.offset) if problem is not None else None
        if found != expected_problem:
            print("expected problem %s, found %s" % (expected_problem, found), file=sys.stderr)
            return 1
        print("found the expected problem: %s at offset %d" % expected_problem)
        return 0
    if expected is not None and count != len(expected):
        print("the log has %d records, %s has %d" % (count, args.compare, len(expected)), file=sys.stderr)
        return 1
    if problem is not None and (args.check or problem.kind == "corrupt"):
        return 1
    if args.check:
        print("ok: %d records" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
