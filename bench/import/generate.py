#!/usr/bin/env python3
"""Writes a ratings.csv of N rows (and the people.csv it needs) for bench/import/run.sh.

    generate.py N OUTDIR

Shape: half-year cycles of sellers, each rated on the eight qualities by themselves, their
manager and eight peers (10 raters x 8 qualities = 80 rows per seller and cycle); 3 % of the
scores are "not observed" and 5 % of the rows carry an evidence note, some quoted. Deterministic
(seeded), so every run imports the same file.
"""
import csv
import random
import sys

QUALITIES = ["belief", "humility", "ownership", "perseverance", "trust_building",
             "process_mastery", "value_crafting", "storytelling"]
NOTES = ["ran the discovery call", "kept every promise on the Acme renewal",
         'said "we are not the right fit", and was right', "rebuilt the mutual plan, twice"]


def main() -> None:
    n_rows, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20260101)
    per_seller = 10 * len(QUALITIES)
    cycles = 4 if n_rows >= 4 * per_seller * 100 else 1
    sellers = max(1, -(-n_rows // (per_seller * cycles)))
    managers = -(-sellers // 8)
    with open(f"{out}/people.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "team", "manager"])
        for m in range(managers):
            w.writerow([f"m-{m:04d}", f"Manager {m}", f"Team {m}", ""])
        for s in range(sellers):
            w.writerow([f"p-{s:06d}", f"Seller {s}", f"Team {s // 8}", f"m-{s // 8:04d}"])
    written = 0
    with open(f"{out}/ratings.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cycle", "subject", "rater", "role", "quality", "score", "evidence"])
        for c in range(cycles):
            cycle = f"{2024 + c // 2}-H{c % 2 + 1}"
            for s in range(sellers):
                subject = f"p-{s:06d}"
                raters = [(subject, "self"), (f"m-{s // 8:04d}", "manager")]
                peers = set()
                while len(peers) < 8 and sellers > 8:
                    p = rng.randrange(sellers)
                    if p != s:
                        peers.add(p)
                raters += [(f"p-{p:06d}", "peer") for p in sorted(peers)]
                for rater, role in raters:
                    for q in QUALITIES:
                        if written == n_rows:
                            return
                        score = "" if rng.random() < 0.03 else str(rng.randint(1, 5))
                        note = rng.choice(NOTES) if rng.random() < 0.05 else ""
                        w.writerow([cycle, subject, rater, role, q, score, note])
                        written += 1


if __name__ == "__main__":
    main()
