#!/usr/bin/env python3
"""Prints the field facts of the protobuf messages the library models, read from .proto files.

usage: tests/tools/proto_fields.py [--source LABEL] PROTO... > tests/data/wandb_proto_fields.txt

PROTO: W&B's wandb/proto/wandb_internal.proto, wandb_base.proto and wandb_telemetry.proto, and
protobuf's google/protobuf/timestamp.proto and empty.proto (Debian: /usr/include/google/protobuf/,
from libprotobuf-dev): every type a modelled message names must be defined in one of them. Run it by hand when W&B's protos change; the tests read only the committed file.

One line per field of each message in MODELLED, and per value of each enum they use:
  Message.field NUMBER TYPE LABEL     TYPE: a scalar (string, int64, ...) or a message or enum name;
                                      LABEL: singular, optional (proto3 `optional`) or repeated
  Enum.VALUE NUMBER enum value
Names are the innermost ones (`PolicyType`, not `wandb_internal.FilesItem.PolicyType`); the script
fails if two of the types it prints share one. A `map<K, V> name = N` field is printed as protoc
describes it: a repeated field of a nested `NameEntry` message with `key = 1` and `value = 2`.

Python 3 standard library only; a small parser for the proto3 syntax these files use (messages,
nested messages and enums, oneofs, maps, options, reserved ranges, comments).
"""

import argparse
import re
import sys

# The messages the library's schemas model (include/wandb/detail/records.hpp and
# tests/tools/wandb_log.py), innermost names. The enums their fields use are printed with them.
MODELLED = [
    "Record", "Control", "_RecordInfo", "Timestamp",
    "HeaderRecord", "VersionInfo",
    "RunRecord", "GitRepoRecord",
    "HistoryRecord", "HistoryItem", "HistoryStep",
    "ConfigRecord", "ConfigItem", "SummaryRecord", "SummaryItem",
    "FilesRecord", "FilesItem",
    "StatsRecord", "StatsItem",
    "MetricRecord", "MetricOptions", "MetricSummary", "MetricControl",
    "ArtifactRecord", "ArtifactManifest", "ArtifactManifestEntry", "ExtraItem", "StoragePolicyConfigItem",
    "RunExitRecord", "FinalRecord",
    "EnvironmentRecord", "DiskEntry", "DiskInfo", "MemoryInfo", "CpuInfo", "SlurmEntry", "GpuNvidiaInfo",
]

SCALARS = {"double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
           "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes"}

TOKEN = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_.][A-Za-z0-9_.]*|-?\d+|.',
                   re.S)


class ProtoError(Exception):
    pass


def tokens(text):
    out = []
    for m in TOKEN.finditer(text):
        t = m.group(0)
        if t.isspace() or t.startswith("//") or t.startswith("/*"):
            continue
        out.append(t)
    return out


class Parser:
    """Collects messages (full name -> [(name, number, type reference, label, scope)]) and enums
    (full name -> [(value name, number)]) of one file."""

    def __init__(self, text, messages, enums):
        self.t = tokens(text)
        self.i = 0
        self.package = ""
        self.messages = messages
        self.enums = enums

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, expected=None):
        if self.i >= len(self.t):
            raise ProtoError("unexpected end of file")
        tok = self.t[self.i]
        if expected is not None and tok != expected:
            raise ProtoError("expected %r, found %r (token %d)" % (expected, tok, self.i))
        self.i += 1
        return tok

    def skip_statement(self):
        """Skips to the `;` that ends a statement (or past a `{...}` block that ends one)."""
        depth = 0
        while True:
            tok = self.take()
            if tok in "{[(":
                depth += 1
            elif tok in "}])":
                depth -= 1
                if depth == 0 and tok == "}" and self.peek() != ";":
                    return
            elif tok == ";" and depth == 0:
                return

    def skip_options(self):
        if self.peek() == "[":
            depth = 0
            while True:
                tok = self.take()
                depth += tok == "["
                depth -= tok == "]"
                if depth == 0:
                    break

    def parse_file(self):
        while self.peek() is not None:
            tok = self.peek()
            if tok == "package":
                self.take()
                self.package = self.take()
                self.take(";")
            elif tok == "message":
                self.take()
                self.parse_message(self.package)
            elif tok == "enum":
                self.take()
                self.parse_enum(self.package)
            elif tok == ";":
                self.take()
            else:  # syntax, import, option, service, extend
                self.skip_statement()

    def parse_message(self, scope):
        name = self.take()
        full = scope + "." + name if scope else name
        fields = self.messages.setdefault(full, [])
        self.take("{")
        while self.peek() != "}":
            tok = self.peek()
            if tok == "message":
                self.take()
                self.parse_message(full)
            elif tok == "enum":
                self.take()
                self.parse_enum(full)
            elif tok == "oneof":
                self.take()
                self.take()  # the oneof's name
                self.take("{")
                while self.peek() != "}":
                    if self.peek() == "option":
                        self.skip_statement()
                    else:
                        self.parse_field(full, fields)
                self.take("}")
            elif tok in ("option", "reserved", "extensions"):
                self.skip_statement()
            elif tok == ";":
                self.take()
            else:
                self.parse_field(full, fields)
        self.take("}")

    def parse_field(self, scope, fields):
        label = "singular"
        if self.peek() in ("repeated", "optional", "required"):
            label = self.take()
        if self.peek() == "map":
            self.take()
            self.take("<")
            key = self.take()
            self.take(",")
            value = self.take()
            self.take(">")
            name = self.take()
            self.take("=")
            number = int(self.take())
            self.skip_options()
            self.take(";")
            entry = "".join(part[:1].upper() + part[1:] for part in name.split("_")) + "Entry"
            entry_full = scope + "." + entry
            self.messages[entry_full] = [("key", 1, key, "singular", scope), ("value", 2, value, "singular", scope)]
            fields.append((name, number, "." + entry_full, "repeated", scope))
            return
        ftype = self.take()
        name = self.take()
        self.take("=")
        number = int(self.take())
        self.skip_options()
        self.take(";")
        fields.append((name, number, ftype, label, scope))

    def parse_enum(self, scope):
        name = self.take()
        full = scope + "." + name if scope else name
        values = self.enums.setdefault(full, [])
        self.take("{")
        while self.peek() != "}":
            if self.peek() in ("option", "reserved"):
                self.skip_statement()
                continue
            value = self.take()
            self.take("=")
            number = int(self.take())
            self.skip_options()
            self.take(";")
            values.append((value, number))
        self.take("}")


def resolve(ref, scope, known):
    """The full name `ref` names from `scope`, by protobuf's rule: innermost scope first."""
    if ref.startswith("."):
        return ref[1:]
    parts = scope.split(".") if scope else []
    for n in range(len(parts), -1, -1):
        candidate = ".".join(parts[:n] + [ref])
        if candidate in known:
            return candidate
    raise ProtoError("type %s (used in %s) is not defined in the given files" % (ref, scope))


def short(full):
    return full.rsplit(".", 1)[-1]


def facts(messages, enums):
    known = set(messages) | set(enums)
    by_short = {}
    for full in known:
        by_short.setdefault(short(full), []).append(full)
    lines = []
    used_enums = []
    printed = {}

    def note(full):
        other = printed.setdefault(short(full), full)
        if other != full:
            raise ProtoError("%s and %s share the name %s" % (other, full, short(full)))

    for name in MODELLED:
        candidates = [f for f in by_short.get(name, []) if f in messages]
        if not candidates:
            raise ProtoError("message %s is not defined in the given files" % name)
        if len(candidates) > 1:
            raise ProtoError("message name %s is ambiguous: %s" % (name, ", ".join(sorted(candidates))))
        full = candidates[0]
        note(full)
        for fname, number, ftype, label, scope in sorted(messages[full], key=lambda f: f[1]):
            if ftype in SCALARS:
                type_name = ftype
            else:
                target = resolve(ftype, scope, known)
                note(target)
                type_name = short(target)
                if target in enums and target not in used_enums:
                    used_enums.append(target)
            lines.append("%s.%s %d %s %s" % (name, fname, number, type_name, label))
    for full in used_enums:
        for value, number in enums[full]:
            lines.append("%s.%s %d enum value" % (short(full), value, number))
    return lines


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="", help="what the protos are, e.g. 'W&B commit b6e2950'")
    parser.add_argument("protos", nargs="+")
    args = parser.parse_args(argv)
    messages, enums = {}, {}
    try:
        for path in args.protos:
            with open(path, encoding="utf-8") as fh:
                Parser(fh.read(), messages, enums).parse_file()
        lines = facts(messages, enums)
    except (OSError, ProtoError) as e:
        print("proto_fields.py: %s" % e, file=sys.stderr)
        return 1
    source = " (%s)" % args.source if args.source else ""
    print("# Field facts of W&B's protos%s, made by tests/tools/proto_fields.py; regenerate: "
          "tests/tools/proto_fields.py --source 'W&B commit C' W/wandb/proto/wandb_internal.proto "
          "W/wandb/proto/wandb_base.proto W/wandb/proto/wandb_telemetry.proto "
          "/usr/include/google/protobuf/timestamp.proto /usr/include/google/protobuf/empty.proto "
          "> tests/data/wandb_proto_fields.txt" % source)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
