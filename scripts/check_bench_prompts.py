#!/usr/bin/env python3
"""Checks data/bench_prompts.jsonl, the prompt set built into `greenroute bench`.

Every line must be a JSON object {"id", "category", "length", "prompt"} with a
unique id; each of the 5 categories must hold 8 short, 8 medium and 8 long
prompts, with word counts (whitespace-separated) inside the class bounds.
Prints word-count statistics per length class. Exit status 1 on any problem.

  python3 scripts/check_bench_prompts.py [path]
"""
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

CATEGORIES = ("qa", "summarisation", "code", "reasoning", "creative")
# Inclusive word-count bounds per length class.
BOUNDS = {"short": (1, 29), "medium": (60, 150), "long": (250, 500)}
PER_CELL = 8
KEYS = {"id", "category", "length", "prompt"}


def main() -> int:
    default = Path(__file__).resolve().parent.parent / "data" / "bench_prompts.jsonl"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    raw = path.read_bytes()
    errors = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"{path}: not valid UTF-8: {e}")
        return 1
    if raw.startswith(b"\xef\xbb\xbf"):
        errors.append("file starts with a byte-order mark")
    if not text.endswith("\n"):
        errors.append("file does not end with a newline")

    ids = set()
    cells = Counter()
    words = {k: [] for k in BOUNDS}
    non_ascii = 0
    for n, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: not valid JSON: {e}")
            continue
        if not isinstance(obj, dict) or set(obj) != KEYS:
            errors.append(f"{where}: expected exactly the keys {sorted(KEYS)}")
            continue
        if not all(isinstance(obj[k], str) and obj[k] for k in KEYS):
            errors.append(f"{where}: every field must be a non-empty string")
            continue
        if obj["id"] in ids:
            errors.append(f"{where}: duplicate id {obj['id']}")
        ids.add(obj["id"])
        cat, length, prompt = obj["category"], obj["length"], obj["prompt"]
        if cat not in CATEGORIES:
            errors.append(f"{where}: unknown category {cat!r}")
            continue
        if length not in BOUNDS:
            errors.append(f"{where}: unknown length {length!r}")
            continue
        if prompt != prompt.strip():
            errors.append(f"{where}: prompt has leading or trailing whitespace")
        count = len(prompt.split())
        lo, hi = BOUNDS[length]
        if not lo <= count <= hi:
            errors.append(f"{where}: {obj['id']} is {length} but has {count} words (want {lo}-{hi})")
        cells[(cat, length)] += 1
        words[length].append(count)
        non_ascii += any(ord(c) > 127 for c in prompt)

    for cat in CATEGORIES:
        for length in BOUNDS:
            if cells[(cat, length)] != PER_CELL:
                errors.append(f"{cat}/{length}: {cells[(cat, length)]} prompts, want {PER_CELL}")

    total = sum(cells.values())
    print(f"{path}: {total} prompts, {len(ids)} unique ids, {non_ascii} with non-ASCII text")
    for length, counts in words.items():
        if counts:
            print(f"  {length:6s} n={len(counts):3d} words min={min(counts)} "
                  f"median={statistics.median(counts):g} mean={statistics.mean(counts):.1f} max={max(counts)}")
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
