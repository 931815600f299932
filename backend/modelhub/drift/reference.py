"""Reference statistics of a version's training features, saved with the version (`reference_stats`)
and compared with recent inputs by the monitoring job (modelhub/drift/statistics.py).

Per column, JSON-serialisable and small (a few hundred numbers per column whatever the rows):
- numeric: count, missing, mean, std, min, max, 101 percentiles (the KS test's reference CDF),
  10 quantile bins (edges + the fraction of rows in each: PSI), and, when the column has at most
  `DISCRETE_MAX` distinct values, their counts too (then chi-square replaces KS, which assumes a
  continuous distribution);
- categorical (anything else): count, missing, the counts of the `MAX_CATEGORIES` most frequent
  values and of the rest (`__other__`).
"""

from __future__ import annotations

from typing import Any

FORMAT_VERSION = 1
PSI_BINS = 10
DISCRETE_MAX = 20
MAX_CATEGORIES = 50
OTHER = "__other__"


def _r(value: Any) -> float:
    """6 significant digits: the statistics stay small as JSON (a form field, a document)."""
    return float(f"{float(value):.6g}")


def _finite(value: Any) -> float | None:
    import math

    value = float(value)
    return _r(value) if math.isfinite(value) else None


def numeric_stats(values) -> dict[str, Any]:
    import numpy as np

    raw = np.asarray(values, dtype=float)
    clean = raw[np.isfinite(raw)]
    out: dict[str, Any] = {"type": "numeric", "count": int(clean.size), "missing": int(raw.size - clean.size)}
    if clean.size == 0:
        return out
    out.update(
        mean=_finite(clean.mean()),
        std=_finite(clean.std()),
        min=_finite(clean.min()),
        max=_finite(clean.max()),
        percentiles=[_r(v) for v in np.percentile(clean, np.linspace(0, 100, 101))],
    )
    edges = np.unique(np.percentile(clean, np.linspace(0, 100, PSI_BINS + 1))[1:-1])
    counts = np.bincount(np.searchsorted(edges, clean, side="right"), minlength=len(edges) + 1)
    out["bins"] = {"edges": [_r(e) for e in edges], "fractions": [_r(c / clean.size) for c in counts]}
    distinct, distinct_counts = np.unique(clean, return_counts=True)
    if len(distinct) <= DISCRETE_MAX:
        out["values"] = {_key(v): int(c) for v, c in zip(distinct, distinct_counts, strict=True)}
    return out


def _key(value: Any) -> str:
    """Category keys as strings (JSON object keys); 1.0 and 1 are the same category."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "item"):
        return _key(value.item())
    return str(value)


def categorical_stats(values) -> dict[str, Any]:
    import pandas as pd

    series = pd.Series(values)
    present = series[series.notna()].map(_key)
    counts = present.value_counts()
    top = counts.iloc[:MAX_CATEGORIES]
    out: dict[str, Any] = {
        "type": "categorical",
        "count": int(present.size),
        "missing": int(series.size - present.size),
        "counts": {str(k): int(v) for k, v in top.items()},
    }
    rest = int(counts.iloc[MAX_CATEGORIES:].sum())
    if rest:
        out["counts"][OTHER] = rest
    return out


def compute_reference(frame) -> dict[str, Any]:
    """Reference statistics of every column of a pandas DataFrame (the training features)."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series):
            columns[str(name)] = categorical_stats(series)
        elif pd.api.types.is_numeric_dtype(series):
            columns[str(name)] = numeric_stats(series.to_numpy(dtype=float, na_value=float("nan")))
        else:
            columns[str(name)] = categorical_stats(series)
    return {"format": FORMAT_VERSION, "rows": len(frame), "columns": columns}
