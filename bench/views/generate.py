#!/usr/bin/env python3
"""Writes the people.csv and ratings.csv that bench/views/run.sh imports.

    generate.py OUTDIR

Shape (issue 3, "Speed"):
- one manager `m-0000` (no team);
- team "Big": 500 sellers `p-000000` … `p-000499` with e-mails, all managed by `m-0000`;
- team "Focus": the focus seller `f-0001`, managed by `m-0000`;
- 20 half-year cycles, 2017-H1 … 2026-H2: the focus seller is rated in every cycle by 10 raters
  (self, the manager, eight peers from "Big") on all eight qualities (1,600 rows);
- in the latest cycle (2026-H2) every one of the 500 sellers is rated by 6 raters (self, the
  manager, four peers) on all eight qualities (24,000 rows).
3 % of the scores are "not observed" and 5 % of the rows carry an evidence note; the focus
seller's latest cycle carries at least NOTES_SHOWN of them, so the admin's timed profile page
renders its evidence notes. Deterministic (seeded), so every run imports the same files.
"""
import csv
import random
import sys

QUALITIES = ["belief", "humility", "ownership", "perseverance", "trust_building",
             "process_mastery", "value_crafting", "storytelling"]
NOTES = ["ran the discovery call", "kept every promise on the Acme renewal",
         'said "we are not the right fit", and was right', "rebuilt the mutual plan, twice"]
SELLERS = 500
CYCLES = [f"{2017 + c // 2}-H{c % 2 + 1}" for c in range(20)]
FOCUS = "f-0001"
NOTES_SHOWN = 4  # evidence notes at least, on the focus seller's latest cycle
MANAGER = "m-0000"


def seller(i: int) -> str:
    return f"p-{i:06d}"


def with_notes(rows: list[list[str]]) -> None:
    """Makes sure that at least NOTES_SHOWN of `rows` carry an evidence note.

    The profile page is timed for the focus seller's latest cycle, and its evidence notes are
    part of what the admin's page renders. At a 5 % rate the 80 rows of that cycle can come out
    without a single note (with seed 20261128 they did, and the page showed "No notes in this
    cycle"), so notes are added to rows picked by a second seeded generator. The scores and the
    main generator's sequence stay as they were.
    """
    have = sum(1 for r in rows if r[6])
    pick = random.Random(3)
    free = [r for r in rows if not r[6]]
    for r in pick.sample(free, max(0, NOTES_SHOWN - have)):
        r[6] = pick.choice(NOTES)


def main() -> None:
    out = sys.argv[1]
    rng = random.Random(20261128)
    with open(f"{out}/people.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "email", "team", "manager"])
        w.writerow([MANAGER, "Manager Zero", "m-0000@bench.example", "", ""])
        w.writerow([FOCUS, "Focus Seller", "f-0001@bench.example", "Focus", MANAGER])
        for s in range(SELLERS):
            w.writerow([seller(s), f"Seller {s}", f"{seller(s)}@bench.example", "Big", MANAGER])

    def rows(cycle, subject, raters):
        out = []
        for rater, role in raters:
            for q in QUALITIES:
                score = "" if rng.random() < 0.03 else str(rng.randint(1, 5))
                note = rng.choice(NOTES) if rng.random() < 0.05 else ""
                out.append([cycle, subject, rater, role, q, score, note])
        return out

    with open(f"{out}/ratings.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cycle", "subject", "rater", "role", "quality", "score", "evidence"])
        latest = CYCLES[-1]
        for cycle in CYCLES:
            peers = sorted(rng.sample(range(SELLERS), 8))
            focus = rows(cycle, FOCUS,
                         [(FOCUS, "self"), (MANAGER, "manager")]
                         + [(seller(p), "peer") for p in peers])
            if cycle == latest:
                with_notes(focus)
            w.writerows(focus)
        for s in range(SELLERS):
            peers = set()
            while len(peers) < 4:
                p = rng.randrange(SELLERS)
                if p != s:
                    peers.add(p)
            w.writerows(rows(latest, seller(s),
                             [(seller(s), "self"), (MANAGER, "manager")]
                             + [(seller(p), "peer") for p in sorted(peers)]))
    print(f"{FOCUS} {latest}")


if __name__ == "__main__":
    main()
