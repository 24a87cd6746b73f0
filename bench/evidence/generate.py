#!/usr/bin/env python3
"""Writes the people.csv, ratings.csv and outcomes.csv that bench/evidence/run.sh imports.

    generate.py OUTDIR [SELLERS]

Shape (issue 5, "Speed": an organisation of 10,000 sellers with four cycles):
- 100 managers `m-000` … `m-099`, each leading team `T00` … `T99`;
- SELLERS sellers (default 10,000) `s-00000` …, in team `T{i % 100}` under its manager, with
  all five trailing indicators (about 3 % of sellers miss `years_experience`);
- four half-year cycles 2025-H1 … 2026-H2: every seller is rated on all eight qualities by
  their manager, 2–4 peers of their team and themselves (about 1.6 million rows); 2 % of the
  scores are "not observed"; a few managers are lenient or severe;
- outcomes: `quota_attainment` for every seller in eight quarters 2025-Q1 … 2026-Q4.
The scores follow a latent talent that also drives attainment (the qualities predict, the
trailing indicators barely do). Seeded: every run writes the same files. Prints the latest
cycle's name.
"""
import csv
import random
import sys

QUALITIES = ["belief", "humility", "ownership", "perseverance", "trust_building",
             "process_mastery", "value_crafting", "storytelling"]
CYCLES = ["2025-H1", "2025-H2", "2026-H1", "2026-H2"]
QUARTERS = [f"{y}-Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
MANAGERS = 100


def main() -> None:
    out = sys.argv[1]
    sellers = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(20261205)
    talent = [rng.gauss(0.0, 1.0) for _ in range(sellers)]
    bias = [rng.choice([0.0] * 8 + [0.7, -0.7]) for _ in range(MANAGERS)]
    team_of = [[] for _ in range(MANAGERS)]
    for s in range(sellers):
        team_of[s % MANAGERS].append(s)

    def sid(s: int) -> str:
        return f"s-{s:05d}"

    with open(f"{out}/people.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "team", "manager", "years_experience", "quota_track_record",
                    "tenure_years", "vip_connections", "domain_expertise"])
        for m in range(MANAGERS):
            w.writerow([f"m-{m:03d}", f"Manager {m}", f"T{m:02d}", "", "", "", "", "", ""])
        for s in range(sellers):
            years = "" if rng.random() < 0.03 else f"{rng.uniform(0, 25):.1f}"
            w.writerow([sid(s), f"Seller {s}", f"T{s % MANAGERS:02d}", f"m-{s % MANAGERS:03d}",
                        years, f"{max(0.0, rng.gauss(0.95, 0.2) + 0.03 * talent[s]):.3f}",
                        rng.randint(0, 15), rng.randint(0, 40), rng.randint(1, 5)])

    with open(f"{out}/ratings.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cycle", "subject", "rater", "role", "quality", "score", "evidence"])
        for cycle in CYCLES:
            for s in range(sellers):
                team = team_of[s % MANAGERS]
                peers = set()
                want = rng.randint(2, 4)
                while len(peers) < want:
                    p = rng.choice(team)
                    if p != s:
                        peers.add(p)
                m = s % MANAGERS
                raters = ([(sid(s), "self", 0.4), (f"m-{m:03d}", "manager", bias[m])]
                          + [(sid(p), "peer", 0.0) for p in sorted(peers)])
                for rater, role, b in raters:
                    for q, quality in enumerate(QUALITIES):
                        if rng.random() < 0.02:
                            score = ""
                        else:
                            x = 3.0 + 0.8 * talent[s] + b + rng.gauss(0.0, 0.8) + 0.05 * q
                            score = str(min(5, max(1, round(x))))
                        w.writerow([cycle, sid(s), rater, role, quality, score, ""])

    with open(f"{out}/outcomes.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["subject", "period", "metric", "value"])
        for s in range(sellers):
            for period in QUARTERS:
                value = max(0.0, 0.95 + 0.05 * talent[s] + rng.gauss(0.0, 0.25))
                w.writerow([sid(s), period, "quota_attainment", f"{value:.4f}"])
    print(CYCLES[-1])


if __name__ == "__main__":
    main()
