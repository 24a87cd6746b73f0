#!/usr/bin/env python3
"""Compares two `sellerq analyze --format json` documents figure by figure.

    python3 compare.py A.json B.json [--tolerance 1e-9]

Lists are matched by their natural keys (qualities by `key`, raters by `rater`, indicators by
`name`), so order does not matter; `notes` are prose and are skipped, and keys present in only
one document are listed (sellerq adds keys, so only keys missing from the first count as
errors). Numbers are compared by relative difference |a − b| / max(|a|, |b|); two numbers
that both underflow below 1e-300 (p-values of huge samples) count as equal. A null must be
null on both sides. Prints the largest relative difference and where it is; exits 1 if it
exceeds the tolerance or anything does not match.
"""

import json
import math
import sys

LIST_KEYS = {"qualities": "key", "raters": "rater", "indicators": "name"}
SKIP = {"notes"}


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k in SKIP:
                continue
            if k not in b:
                out["missing"].append(f"{path}/{k} (only in the first)")
                continue
            walk(a[k], b[k], f"{path}/{k}", out)
        return
    if isinstance(a, list) and isinstance(b, list):
        key = LIST_KEYS.get(path.rsplit("/", 1)[-1])
        if key and all(isinstance(x, dict) for x in a + b):
            ma = {x[key]: x for x in a}
            mb = {x[key]: x for x in b}
            for k in ma.keys() | mb.keys():
                if k not in ma or k not in mb:
                    out["missing"].append(f"{path}[{k}] (only in {'the first' if k in ma else 'the second'})")
                else:
                    walk(ma[k], mb[k], f"{path}[{k}]", out)
            return
        if len(a) != len(b):
            out["mismatch"].append(f"{path}: {len(a)} vs {len(b)} items")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
        return
    if isinstance(a, bool) or isinstance(b, bool) or not (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
    ):
        if a != b:
            out["mismatch"].append(f"{path}: {a!r} vs {b!r}")
        return
    out["figures"] += 1
    if abs(a) < 1e-300 and abs(b) < 1e-300:
        return
    d = abs(a - b) / max(abs(a), abs(b))
    if not math.isfinite(d):
        out["mismatch"].append(f"{path}: {a!r} vs {b!r}")
        return
    if d > out["max"][0]:
        out["max"] = (d, path, a, b)


def main() -> int:
    args = sys.argv[1:]
    tol = 1e-9
    if "--tolerance" in args:
        i = args.index("--tolerance")
        tol = float(args[i + 1])
        del args[i : i + 2]
    a, b = (json.load(open(p)) for p in args[:2])
    out = {"figures": 0, "max": (0.0, "", None, None), "missing": [], "mismatch": []}
    walk(a, b, "", out)
    d, where, x, y = out["max"]
    print(f"figures compared: {out['figures']}")
    print(f"largest relative difference: {d:.3g}" + (f" at {where} ({x!r} vs {y!r})" if where else ""))
    for m in out["mismatch"][:20]:
        print(f"MISMATCH {m}")
    for m in out["missing"][:20]:
        print(f"MISSING {m}")
    bad = d > tol or out["mismatch"] or any("only in the first" in m or "only in the second" in m for m in out["missing"])
    print("RESULT: " + ("FAIL" if bad else f"OK (every figure within {tol:g})"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
