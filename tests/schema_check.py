#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Validate JSON records (one object a line) against docs/schema/TYPE.json.

usage: schema_check.py SCHEMA_DIR [--ignore-type T]... FILE...

Prints "ok N records (TYPE:N ...)" and exits 0, or prints each failure
(file:line: type: message) and exits 1. A record whose type has no schema is a
failure. Exit 3 when python3-jsonschema is missing (the caller skips).
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (make deps)")
    sys.exit(3)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    sdir = argv[1]
    ignore, files = set(), []
    args = iter(argv[2:])
    for a in args:
        if a == "--ignore-type":
            ignore.add(next(args))
        else:
            files.append(a)
    validators = {}
    for name in sorted(os.listdir(sdir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(sdir, name), encoding="utf-8") as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validators[name[:-5]] = cls(schema)
    bad, counts = 0, {}
    for path in files:
        # Records are UTF-8 (invalid bytes arrive escaped): strict decoding.
        with open(path, encoding="utf-8", errors="strict") as f:
            for no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    print("%s:%d: not JSON: %s" % (path, no, e))
                    bad += 1
                    continue
                t = rec.get("type") if isinstance(rec, dict) else None
                if t in ignore:
                    continue
                v = validators.get(t)
                if v is None:
                    print("%s:%d: no schema for type %r" % (path, no, t))
                    bad += 1
                    continue
                errs = sorted(v.iter_errors(rec), key=lambda e: list(e.path))
                for e in errs:
                    print("%s:%d: %s: %s: %s" % (path, no, t, "/".join(map(str, e.path)), e.message))
                bad += 1 if errs else 0
                counts[t] = counts.get(t, 0) + 1
    if bad:
        return 1
    print("ok %d records (%s)" % (sum(counts.values()),
                                  " ".join("%s:%d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
