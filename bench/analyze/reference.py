#!/usr/bin/env python3
"""The Python reference for `sellerq analyze`: the same figures, by the FORMATS.md definitions,
with the libraries statisticians would reach for (pandas, pingouin, statsmodels, krippendorff,
scipy). Writes the same JSON document as `sellerq analyze --format json`.

    python3 reference.py --people P --ratings R --outcomes O [--cycle C] [--metric M]
                         [--period P]... [--out FILE]

It assumes valid input (sellerq checks the files; this script only computes). Install:
`pip install pandas pingouin statsmodels krippendorff scipy`.

Two figures are computed exactly, as sellerq does, where rounding would otherwise decide the
answer: rater leniency (a sum of fractions with small denominators whose true value is often
exactly zero, where any rounding residue defeats a relative comparison) is summed over a
common denominator in int64; and a subject's outcome is the mean from an exactly rounded sum
(math.fsum), so that equal values tie in Spearman's ranks whatever the summation order.
"""

import argparse
import json
import math
import sys
import warnings
from math import lcm

import krippendorff
import numpy as np
import pandas as pd
import pingouin as pg
import scipy.stats as st
import statsmodels.api as sm

QUALITIES = [
    "belief", "humility", "ownership", "perseverance",
    "trust_building", "process_mastery", "value_crafting", "storytelling",
]
TRAILING = ["years_experience", "quota_track_record", "tenure_years", "vip_connections",
            "domain_expertise"]
ROLE_ORDER = ["manager", "peer", "coach"]
SCALE = [1, 2, 3, 4, 5]


def num(x):
    """A finite float, or None (JSON null)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", required=True)
    ap.add_argument("--ratings", required=True)
    ap.add_argument("--outcomes", required=True)
    ap.add_argument("--cycle")
    ap.add_argument("--metric", default="quota_attainment")
    ap.add_argument("--period", action="append", default=[])
    ap.add_argument("--out")
    a = ap.parse_args()
    warnings.simplefilter("ignore")

    people = pd.read_csv(a.people, dtype={"id": str}, keep_default_na=False,
                         na_values={c: [""] for c in TRAILING})
    ratings = pd.read_csv(a.ratings, dtype={"cycle": str, "subject": str, "rater": str,
                                            "role": str, "quality": str, "score": "float64"},
                          usecols=["cycle", "subject", "rater", "role", "quality", "score"],
                          keep_default_na=False, na_values={"score": [""]})
    outcomes = pd.read_csv(a.outcomes, dtype={"subject": str, "period": str, "metric": str,
                                              "value": "float64"}, keep_default_na=False)
    for df, cols in ((people, ["id"]), (ratings, ["cycle", "subject", "rater"]),
                     (outcomes, ["subject", "period", "metric"])):
        for c in cols:
            df[c] = df[c].str.strip()
    for t in TRAILING:
        if t not in people.columns:
            people[t] = np.nan

    cycle = a.cycle or max(ratings["cycle"].unique())
    notes = []
    r = ratings[(ratings["cycle"] == cycle) & ratings["score"].notna()]
    # Non-self = manager, peer, coach (FORMATS.md); interviewer ratings belong to hiring.
    other = r[r["role"].isin(ROLE_ORDER)]
    selfr = r[r["role"] == "self"]

    # Quality score of a subject: the mean of the non-self ratings.
    qs = other.groupby(["subject", "quality"])["score"].mean().unstack("quality")
    selfs = selfr.set_index(["subject", "quality"])["score"].unstack("quality")
    counts = other.groupby(["subject", "quality"]).size().unstack("quality")

    qualities = []
    for q in QUALITIES:
        entry = {"key": q}
        col = qs[q].dropna() if q in qs.columns else pd.Series(dtype=float)
        entry["n_subjects"] = int(len(col))
        entry["mean"] = num(col.mean()) if len(col) else None
        entry["sd"] = num(col.std(ddof=1)) if len(col) > 1 else None
        s = selfs[q].dropna() if q in selfs.columns else pd.Series(dtype=float)
        entry["self_mean"] = num(s.mean()) if len(s) else None
        both = pd.concat([s, col], axis=1, join="inner")
        entry["gap_mean"] = num((both.iloc[:, 0] - both.iloc[:, 1]).mean()) if len(both) else None
        entry["icc"] = icc(other[other["quality"] == q])
        entry["krippendorff_alpha"] = kripp(other[other["quality"] == q])
        c = counts[q].dropna() if q in counts.columns else pd.Series(dtype=float)
        entry["mean_raters"] = num(c.mean()) if len(c) else None
        icc1 = entry["icc"]["icc1"]
        if icc1 is not None and 0 < icc1 < 1:
            m = 0.7 * (1 - icc1) / (icc1 * (1 - 0.7))
            entry["raters_needed"] = {"target": 0.7, "raters": m, "whole": int(math.ceil(m - 1e-12))}
        else:
            entry["raters_needed"] = {"target": 0.7, "raters": None, "whole": None}
        qualities.append(entry)

    present = [q for q in QUALITIES if q in qs.columns and qs[q].notna().any()]
    wide = qs[present].dropna()
    if len(present) >= 2 and len(wide) >= 2:
        ca = pg.cronbach_alpha(data=wide, nan_policy="listwise")[0]
        cronbach = {"n_subjects": int(len(wide)), "alpha": num(ca)}
    else:
        cronbach = {"n_subjects": int(len(wide)), "alpha": None}

    raters = leniency(other)

    # Outcome: the mean of the metric over the chosen periods.
    o = outcomes[outcomes["metric"] == a.metric]
    periods = sorted(set(a.period)) if a.period else sorted(o["period"].unique())
    o = o[o["period"].isin(periods)]
    # The mean from an exactly rounded sum (math.fsum), as sellerq computes it: it does not
    # depend on the order of the rows, so equal values give equal outcomes (Spearman's ties).
    g = o.groupby("subject")["value"]
    outcome = (g.agg(math.fsum) / g.size()).rename("outcome")

    validity = valid(qs, people, outcome, present)

    doc = {
        "input": {"people": int(len(people)), "ratings": int(len(ratings)),
                  "outcomes": int(len(outcomes)), "cycle": cycle, "metric": a.metric,
                  "periods": periods},
        "qualities": qualities,
        "cronbach_alpha": cronbach,
        "raters": raters,
        "validity": validity,
        "notes": notes,
    }
    text = json.dumps(doc, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


def slots(df: pd.DataFrame) -> pd.DataFrame:
    """Rater slots: per subject the manager first, then the other raters by id."""
    df = df.assign(notmgr=(df["role"] != "manager").astype(int))
    df = df.sort_values(["subject", "notmgr", "rater"], kind="stable")
    return df.assign(slot=df.groupby("subject").cumcount())


def icc(df: pd.DataFrame) -> dict:
    none = {"n_subjects": 0, "n_raters": 0, "icc1": None, "icc2": None, "icc3": None,
            "icc1k": None, "icc2k": None, "icc3k": None}
    if df.empty:
        return none
    per = df.groupby("subject").size()
    freq = per.value_counts()
    k = int(max(freq[freq == freq.max()].index))  # most common count; ties: the larger
    use = df[df["subject"].map(per) == k]
    n = int(use["subject"].nunique())
    out = dict(none, n_subjects=n, n_raters=k)
    if n < 2 or k < 2:
        return out
    long = slots(use)
    # pingouin's nan_policy="omit" would drop the same subjects from the wide matrix.
    res = pg.intraclass_corr(data=long, targets="subject", raters="slot", ratings="score",
                             nan_policy="omit").set_index("Type")["ICC"]
    for key, typ in (("icc1", "ICC(1,1)"), ("icc2", "ICC(A,1)"), ("icc3", "ICC(C,1)"),
                     ("icc1k", "ICC(1,k)"), ("icc2k", "ICC(A,k)"), ("icc3k", "ICC(C,k)")):
        out[key] = num(res[typ])
    return out


def kripp(df: pd.DataFrame) -> dict:
    vc = df.groupby(["subject", "score"]).size().unstack("score", fill_value=0)
    vc = vc.reindex(columns=[float(v) for v in SCALE], fill_value=0)
    out = {}
    for level in ("interval", "ordinal"):
        try:
            out[level] = num(krippendorff.alpha(value_counts=vc.to_numpy(), value_domain=SCALE,
                                                level_of_measurement=level))
        except ValueError:
            out[level] = None
    return out


def leniency(other: pd.DataFrame) -> list:
    g = other.groupby(["subject", "quality"])["score"]
    total = g.transform("sum").astype(np.int64)
    cnt = g.transform("size").astype(np.int64)
    score = other["score"].astype(np.int64)
    df = pd.DataFrame({"rater": other["rater"], "role": other["role"], "cnt": cnt,
                       "num": cnt * score - total})
    # score − (total − score)/(cnt − 1) = (cnt·score − total)/(cnt − 1), over one denominator.
    has = df[df["cnt"] >= 2]
    den = 1
    for c in has["cnt"].unique():
        den = lcm(den, int(c) - 1)
    scaled = has["num"] * (den // (has["cnt"] - 1))
    sums = scaled.groupby(has["rater"]).sum()
    ns = has.groupby("rater").size()
    roles = other.groupby(["rater", "role"]).size().unstack("role", fill_value=0)
    out = []
    for rater in sorted(other["rater"].unique()):
        row = roles.loc[rater]
        best = max(ROLE_ORDER, key=lambda x: (int(row.get(x, 0)), -ROLE_ORDER.index(x)))
        n = int(ns.get(rater, 0))
        len_ = int(sums[rater]) / (den * n) if n else None
        out.append({"rater": rater, "role": best, "n": n, "leniency": len_})
    return out


def valid(qs: pd.DataFrame, people: pd.DataFrame, outcome: pd.Series, present: list) -> dict:
    trail = people.set_index("id")[TRAILING]
    data = qs[present].join(trail, how="left").join(outcome, how="left")
    omitted = [q for q in QUALITIES if q not in present]
    kept_trailing = []
    for t in TRAILING:
        if data[t].notna().any():
            kept_trailing.append(t)
        else:
            omitted.append(t)
    cols = present + kept_trailing
    data = data[cols + ["outcome"]].dropna()
    n = int(len(data))
    y = data["outcome"].to_numpy()
    inds = []
    for c in cols:
        x = data[c].to_numpy()
        kind = "leading" if c in present else "trailing"
        e = {"name": c, "kind": kind, "r": None, "ci_low": None, "ci_high": None, "p": None,
             "rho": None}
        if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
            res = st.pearsonr(x, y)
            ci = res.confidence_interval(0.95)
            e.update(r=num(res.statistic), ci_low=num(ci.low), ci_high=num(ci.high),
                     p=num(res.pvalue), rho=num(st.spearmanr(x, y).statistic))
        inds.append(e)
    hier = {"r2_trailing": None, "r2_full": None, "delta_r2": None, "f_change": None,
            "df1": None, "df2": None, "p_change": None}
    p_full = len(cols)
    if n > p_full + 1 and present:
        X1 = sm.add_constant(data[kept_trailing].to_numpy(), has_constant="add")
        X2 = sm.add_constant(data[cols].to_numpy(), has_constant="add")
        m1 = sm.OLS(y, X1).fit()
        m2 = sm.OLS(y, X2).fit()
        f, p, df1 = m2.compare_f_test(m1)
        hier = {"r2_trailing": num(m1.rsquared) if kept_trailing else 0.0,
                "r2_full": num(m2.rsquared), "delta_r2": num(m2.rsquared - (m1.rsquared if kept_trailing else 0.0)),
                "f_change": num(f), "df1": int(df1), "df2": int(m2.df_resid), "p_change": num(p)}
    return {"n": n, "omitted": omitted, "indicators": inds, "hierarchical": hier}


if __name__ == "__main__":
    sys.exit(main())
