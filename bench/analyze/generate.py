#!/usr/bin/env python3
"""Writes people.csv, ratings.csv and outcomes.csv (FORMATS.md) for N generated sellers.

    python3 generate.py N OUT_DIR [--seed S]

Deterministic for a given N and seed. The data are shaped like an organisation's own:
teams of eight sellers under one manager; in each of two cycles every seller is rated on the
eight qualities by the manager, two to four peers of the team and themself; raters differ in
leniency; a few scores are missing ("not observed") and a few ratings were never given; the
qualities predict later quota attainment moderately, the trailing indicators weakly; a few
trailing indicators and outcomes are missing; a few evidence cells need RFC 4180 quoting
(commas, quotes, a line break). With N = 100,000 this is about 7.7 million ratings.
"""

import argparse
import os

import numpy as np
import pandas as pd

QUALITIES = [
    "belief", "humility", "ownership", "perseverance",
    "trust_building", "process_mastery", "value_crafting", "storytelling",
]
CYCLES = ["2025-H2", "2026-H1"]
PERIODS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
TEAM_SIZE = 8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of sellers")
    ap.add_argument("out", help="output folder")
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    n = args.n
    n_teams = (n + TEAM_SIZE - 1) // TEAM_SIZE
    team = np.arange(n) // TEAM_SIZE
    seller_ids = np.array([f"s{i:06d}" for i in range(1, n + 1)], dtype=object)
    manager_ids = np.array([f"m{t:05d}" for t in range(1, n_teams + 1)], dtype=object)

    # --- people.csv: trailing indicators, a few missing -----------------------------------
    years = np.round(rng.uniform(1, 25, n) * 2) / 2
    track = np.round(np.clip(rng.normal(1.0, 0.2, n), 0, None), 3)
    tenure = np.round(np.minimum(years, rng.exponential(4, n)), 1)
    vip = rng.poisson(5, n).astype(float)
    domain = rng.integers(1, 6, n).astype(float)
    trailing = {"years_experience": years, "quota_track_record": track, "tenure_years": tenure,
                "vip_connections": vip, "domain_expertise": domain}
    for v in trailing.values():
        v[rng.random(n) < 0.015] = np.nan
    hire_years = np.where(rng.random(n) < 0.2, np.nan, np.minimum(tenure, 20))
    hire = [
        "" if np.isnan(h) else f"{2025 - int(h):04d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        for i, h in enumerate(hire_years)
    ]
    people = pd.DataFrame({
        "id": seller_ids,
        "name": [f"Seller {i:06d}" for i in range(1, n + 1)],
        "team": [f"Team {t + 1:05d}" for t in team],
        "manager": manager_ids[team],
        "hire_date": hire,
        **{k: v for k, v in trailing.items()},
    })
    managers = pd.DataFrame({
        "id": manager_ids, "name": [f"Manager {t:05d}" for t in range(1, n_teams + 1)],
        "team": [f"Team {t:05d}" for t in range(1, n_teams + 1)],
    })
    people = pd.concat([people, managers], ignore_index=True)
    people.to_csv(os.path.join(args.out, "people.csv"), index=False, float_format="%.10g")

    # --- the sellers' true standing on each quality: a general factor plus specifics -------
    g = rng.normal(0, 1, n)
    true = 0.6 * g[:, None] + 0.8 * rng.normal(0, 1, (n, len(QUALITIES)))
    leniency_seller = rng.normal(0.1, 0.3, n)   # as a peer
    leniency_manager = rng.normal(0.0, 0.3, n_teams)
    self_bias = rng.normal(0.4, 0.4, n)

    # --- ratings.csv: per cycle and subject, the manager, 2-4 peers and self ----------------
    team_start = team * TEAM_SIZE
    team_len = np.minimum(TEAM_SIZE, n - team_start)
    frames = []
    for c, cycle in enumerate(CYCLES):
        standing = true + rng.normal(0, 0.3, true.shape) * (c == 0)
        # Peers: distinct others of the team, 2-4 of them (fewer in a very small team).
        want = rng.integers(2, 5, n)
        n_peers = np.minimum(want, team_len - 1)
        # Distinct offsets 1..team_len-1 within each subject's team (a last, smaller team too).
        keys = rng.random((n, TEAM_SIZE - 1))
        keys[np.arange(TEAM_SIZE - 1)[None, :] >= (team_len - 1)[:, None]] = np.inf
        offsets = np.argsort(keys, axis=1) + 1
        slots = []  # (subject, rater index or -1-team for the manager, role)
        subj = np.arange(n)
        slots.append((subj, -1 - team, np.full(n, "manager", dtype=object), leniency_manager[team]))
        for j in range(4):
            has = (n_peers > j)
            s = subj[has]
            peer = team_start[has] + (s - team_start[has] + offsets[has, j]) % team_len[has]
            slots.append((s, peer, np.full(len(s), "peer", dtype=object), leniency_seller[peer]))
        has_self = rng.random(n) >= 0.10
        s = subj[has_self]
        slots.append((s, s, np.full(len(s), "self", dtype=object), self_bias[s]))
        subj_all = np.concatenate([x[0] for x in slots])
        rater_all = np.concatenate([x[1] for x in slots])
        role_all = np.concatenate([x[2] for x in slots])
        len_all = np.concatenate([x[3] for x in slots])
        order = np.lexsort((np.arange(len(subj_all)), subj_all))  # grouped by subject
        subj_all, rater_all, role_all, len_all = (a[order] for a in (subj_all, rater_all, role_all, len_all))
        m = len(subj_all)
        q = len(QUALITIES)
        subj_r = np.repeat(subj_all, q)
        rater_r = np.repeat(rater_all, q)
        role_r = np.repeat(role_all, q)
        qual_r = np.tile(np.arange(q), m)
        raw = 3 + 0.8 * standing[subj_r, qual_r] + np.repeat(len_all, q) + rng.normal(0, 0.7, m * q)
        score = np.clip(np.rint(raw), 1, 5).astype(int).astype(object)
        score[rng.random(m * q) < 0.03] = ""          # not observed
        keep = rng.random(m * q) >= 0.01               # a rating never given
        rater_id = np.where(rater_r < 0, manager_ids[np.maximum(-1 - rater_r, 0) % n_teams],
                            seller_ids[np.maximum(rater_r, 0)])
        evidence = np.full(m * q, "", dtype=object)
        ev = rng.random(m * q)
        evidence[ev < 0.02] = "Ran a clean discovery call, asked about budget early"
        evidence[ev < 0.005] = 'Told the "why now" story well, kept it short'
        evidence[ev < 0.0005] = "Forecast slipped twice.\nCommitted deal lost on price"
        frames.append(pd.DataFrame({
            "cycle": cycle, "subject": seller_ids[subj_r][keep], "rater": rater_id[keep],
            "role": role_r[keep], "quality": np.array(QUALITIES, dtype=object)[qual_r][keep],
            "score": score[keep], "evidence": evidence[keep],
        }))
        if c == len(CYCLES) - 1:
            latest = standing
    ratings = pd.concat(frames, ignore_index=True)
    ratings.to_csv(os.path.join(args.out, "ratings.csv"), index=False)

    # --- outcomes.csv: quota attainment and win rate per quarter ---------------------------
    z = lambda v: (np.nan_to_num(v, nan=np.nanmean(v)) - np.nanmean(v)) / np.nanstd(v)  # noqa: E731
    weights = np.array([0.5, 0.2, 0.6, 0.5, 0.6, 0.4, 0.5, 0.4])
    signal = latest @ weights / weights.sum()
    base = 1.0 + 0.14 * signal + 0.05 * z(track) + 0.02 * z(years) + 0.01 * z(vip)
    rows = []
    for period in PERIODS:
        qa = np.round(np.clip(base + rng.normal(0, 0.25, n), 0, None), 4)
        wr = np.round(np.clip(0.25 + 0.04 * signal + 0.01 * z(domain) + rng.normal(0, 0.08, n), 0, 1), 4)
        for metric, value in (("quota_attainment", qa), ("win_rate", wr)):
            keep = rng.random(n) >= 0.02
            rows.append(pd.DataFrame({"subject": seller_ids[keep], "period": period,
                                      "metric": metric, "value": value[keep]}))
    pd.concat(rows, ignore_index=True).to_csv(os.path.join(args.out, "outcomes.csv"), index=False,
                                              float_format="%.10g")


if __name__ == "__main__":
    main()
