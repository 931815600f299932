"""Drift tests of recent values against a version's reference statistics (drift/reference.py).

- KS (numeric, continuous): the two-sample Kolmogorov-Smirnov distance between the current values
  and the reference CDF (interpolated between its 101 percentiles); the p-value uses the
  two-sample effective size n·m/(n+m), so a finite reference is not treated as exact.
- chi-square (categorical, and numeric columns with few distinct values): a 2xK contingency test
  of the reference counts against the current counts (unseen categories go to `__other__`).
- PSI (both): Σ (cur - ref) * ln(cur / ref) over the reference's quantile bins or categories, each
  fraction floored at 1e-4. Rule of thumb: < 0.1 stable, 0.1-0.2 moderate, > 0.2 shifted.

A feature drifts when any of its tests passes its threshold: p-value below `ks_pvalue` /
`chi2_pvalue`, PSI at or above `psi`.
"""

from __future__ import annotations

import math
from typing import Any

from modelhub.drift.reference import OTHER, _key

DEFAULT_THRESHOLDS = {"ks_pvalue": 0.05, "chi2_pvalue": 0.05, "psi": 0.2}
TESTS = ("ks", "chi2", "psi")
EPSILON = 1e-4


def ks_test(values, column: dict[str, Any]) -> tuple[float, float]:
    import numpy as np
    from scipy.stats import kstwobign

    current = np.sort(np.asarray(values, dtype=float))
    n, m = current.size, column["count"]
    percentiles = np.asarray(column["percentiles"], dtype=float)
    quantiles = np.linspace(0.0, 1.0, percentiles.size)
    # keep the last quantile of each repeated value: the CDF is right-continuous
    xs, last = np.unique(percentiles[::-1], return_index=True)
    qs = quantiles[::-1][last]
    cdf = np.interp(current, xs, qs, left=0.0, right=1.0)
    ranks = np.arange(1, n + 1) / n
    distance = float(max(np.max(ranks - cdf), np.max(cdf - (ranks - 1.0 / n))))
    effective = n * m / (n + m)
    root = math.sqrt(effective)
    p_value = float(kstwobign.sf((root + 0.12 + 0.11 / root) * distance))
    return distance, min(1.0, max(0.0, p_value))


def _category_counts(values, reference: dict[str, int]) -> tuple[list[float], list[float]]:
    import pandas as pd

    current = pd.Series(values).dropna().map(_key).value_counts().to_dict()
    keys = [k for k in reference if k != OTHER]
    ref = [float(reference[k]) for k in keys]
    cur = [float(current.pop(k, 0)) for k in keys]
    ref.append(float(reference.get(OTHER, 0)))
    cur.append(float(sum(current.values())))  # unseen categories and the reference's rare ones
    return ref, cur


def chi2_test(ref_counts: list[float], cur_counts: list[float]) -> tuple[float, float]:
    from scipy.stats import chi2_contingency

    pairs = [(r, c) for r, c in zip(ref_counts, cur_counts, strict=True) if r + c > 0]
    if len(pairs) < 2 or not sum(c for _, c in pairs) or not sum(r for r, _ in pairs):
        return 0.0, 1.0
    table = [[r for r, _ in pairs], [c for _, c in pairs]]
    statistic, p_value, _, _ = chi2_contingency(table, correction=False)
    return float(statistic), float(p_value)


def psi(ref_fractions: list[float], cur_fractions: list[float]) -> float:
    total = 0.0
    for r, c in zip(ref_fractions, cur_fractions, strict=True):
        r, c = max(r, EPSILON), max(c, EPSILON)
        total += (c - r) * math.log(c / r)
    return float(total)


def _fractions(counts: list[float]) -> list[float]:
    total = sum(counts) or 1.0
    return [c / total for c in counts]


def compare_column(values, column: dict[str, Any], thresholds: dict[str, float], tests=TESTS) -> dict[str, Any]:
    """The tests that apply to one column; `values` are the current values (missing ones dropped)."""
    import numpy as np
    import pandas as pd

    result: dict[str, Any] = {"type": column["type"], "tests": {}}
    if column["type"] == "numeric":
        numeric = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
        current = numeric[np.isfinite(numeric)]
        result["samples"] = int(current.size)
        if current.size == 0 or not column.get("count"):
            result["skipped"] = "no numeric values to compare"
            return result
        if "values" in column:  # few distinct values: chi-square on them rather than KS
            if "chi2" in tests:
                ref, cur = _category_counts(current, column["values"])
                statistic, p_value = chi2_test(ref, cur)
                result["tests"]["chi2"] = {"statistic": statistic, "p_value": p_value}
        elif "ks" in tests:
            statistic, p_value = ks_test(current, column)
            result["tests"]["ks"] = {"statistic": statistic, "p_value": p_value}
        if "psi" in tests and column.get("bins"):
            edges = np.asarray(column["bins"]["edges"], dtype=float)
            counts = np.bincount(np.searchsorted(edges, current, side="right"), minlength=len(edges) + 1)
            result["tests"]["psi"] = {"statistic": psi(column["bins"]["fractions"], _fractions(list(counts)))}
    else:
        series = pd.Series(values).dropna()
        result["samples"] = int(series.size)
        if series.size == 0 or not column.get("count"):
            result["skipped"] = "no values to compare"
            return result
        ref, cur = _category_counts(series, column["counts"])
        if "chi2" in tests:
            statistic, p_value = chi2_test(ref, cur)
            result["tests"]["chi2"] = {"statistic": statistic, "p_value": p_value}
        if "psi" in tests:
            result["tests"]["psi"] = {"statistic": psi(_fractions(ref), _fractions(cur))}
    for name, test in result["tests"].items():
        if name == "psi":
            test["threshold"] = thresholds["psi"]
            test["drifted"] = test["statistic"] >= thresholds["psi"]
        else:
            test["threshold"] = thresholds[f"{name}_pvalue"]
            test["drifted"] = test["p_value"] < thresholds[f"{name}_pvalue"]
    result["drifted"] = any(t["drifted"] for t in result["tests"].values())
    return result


def compare(
    reference: dict[str, Any],
    frame,
    thresholds: dict[str, float] | None = None,
    tests=TESTS,
    features: list[str] | None = None,
    min_samples: int = 1,
) -> dict[str, Any]:
    """Every reference column (or `features`) of a pandas DataFrame against the reference.

    Answers {"features": {name: {type, samples, tests: {ks|chi2|psi: {statistic, p_value?,
    threshold, drifted}}, drifted} | {skipped}}, "drifted_features": [...], "samples": n}."""
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    columns = reference.get("columns") or {}
    names = features or list(columns)
    results: dict[str, Any] = {}
    for name in names:
        column = columns.get(name)
        if column is None:
            results[name] = {"skipped": "the reference statistics have no such column"}
        elif name not in frame.columns:
            results[name] = {"type": column["type"], "skipped": "the inputs have no such column"}
        else:
            values = frame[name]
            present = int(values.notna().sum())
            if present < min_samples:
                results[name] = {
                    "type": column["type"],
                    "samples": present,
                    "skipped": f"{present} values, fewer than min_samples ({min_samples})",
                }
            else:
                results[name] = compare_column(values, column, limits, tests)
    drifted = sorted(name for name, r in results.items() if r.get("drifted"))
    return {"features": results, "drifted_features": drifted, "samples": len(frame)}
