#!/usr/bin/env python3
"""Checks wandb_log.py's hand-typed message tables against the facts read from W&B's .proto files.

usage: test_wandb_log_schema.py FACTS NOT_MODELLED

FACTS (tests/data/wandb_proto_fields.txt, made by proto_fields.py) holds one line per field,
"Message.field NUMBER TYPE LABEL", and per enum value, "Enum.VALUE NUMBER enum value", for every
message the checker models. NOT_MODELLED lists the "Message.field"s of those messages the tables
leave out on purpose (they decode under their numbers). The lines made from wandb_log.MESSAGES and
wandb_log.ENUMS (every message and enum reachable from Record) must be exactly the facts without
those: a wrong number, name, type or label, a missing or an extra field fails, naming the line.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wandb_log  # noqa: E402


def read_lines(path):
    with open(path, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip() and not line.startswith("#")]


def table_lines():
    """Facts lines of every message and enum reachable from Record in wandb_log's tables."""
    lines, seen, todo = [], set(), ["Record"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in wandb_log.ENUMS:
            lines += ["%s.%s %d enum value" % (name, value, n) for n, value in enumerate(wandb_log.ENUMS[name])]
            continue
        for number, (field, type_, repeated) in sorted(wandb_log.MESSAGES[name].items()):
            lines.append("%s.%s %d %s %s" % (name, field, number, type_, "repeated" if repeated else "singular"))
            if type_ not in wandb_log.SCALARS:
                todo.append(type_)
    return lines


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    facts = read_lines(argv[0])
    left_out = set(read_lines(argv[1]))
    fact_fields = {line.split()[0] for line in facts}
    problems = ["%s is in the not-modelled list but not a fact" % name for name in sorted(left_out - fact_fields)]
    want = sorted(line for line in facts if line.split()[0] not in left_out)
    got = sorted(table_lines())
    problems += ["wandb_log.py lacks the fact:   %s" % line for line in sorted(set(want) - set(got))]
    problems += ["wandb_log.py has a non-fact:   %s" % line for line in sorted(set(got) - set(want))]
    problems += ["wandb_log.py repeats the line: %s" % line for line in sorted(set(l for l in got if got.count(l) > 1))]
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print("ok: wandb_log.py's tables match %d facts (%d left out on purpose)" % (len(want), len(left_out)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
