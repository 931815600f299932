"""The e2e's real model files and dataset: two scikit-learn LogisticRegression versions of "Customer
churn" (skops, the format that runs no code on load) trained on synthetic customers, and a small CSV
of customers to score (an `id` column and the same features), written to the folder given.

    python frontend/e2e/make-model.py OUT_DIR   ->  OUT_DIR/churn-1.skops, churn-2.skops, customers.csv
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from skops.io import dumps

FEATURES = ["tenure", "monthly_spend", "support_calls"]


def customers(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.integers(1, 72, rows),
            "monthly_spend": rng.normal(45, 15, rows).round(2),
            "support_calls": rng.poisson(2, rows),
        }
    )


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    train = customers(400, 7)
    churned = (train["support_calls"] * 0.8 - train["tenure"] * 0.05 + (train["monthly_spend"] > 60) > 0.5).astype(int)
    for version, c in ((1, 1.0), (2, 0.1)):
        model = LogisticRegression(C=c, max_iter=500).fit(train[FEATURES], churned)
        (out / f"churn-{version}.skops").write_bytes(dumps(model))
    scoring = customers(60, 11)
    scoring.insert(0, "id", [f"c-{i:03d}" for i in range(len(scoring))])
    scoring.to_csv(out / "customers.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
