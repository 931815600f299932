"""Real small models for the demo catalog: one data set per use case, up to three model families
fitted once each on a training split and saved as skops; metrics computed on the held-out split.

Every country's model of a use case shares the fitted file of each version (the same bytes, loaded
and predicting like any other version), and gets its own metrics: a bootstrap resample of the
held-out split, seeded by the model's name, so the numbers vary by country the way they would.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import skops.io
from sklearn import datasets as sk_datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from modelhub.demo.catalog import UseCase
from modelhub.drift.reference import compute_reference

GENERATED_ROWS = 1200
TEST_SHARE = 0.3
BUNDLED = {
    "iris": sk_datasets.load_iris,
    "wine": sk_datasets.load_wine,
    "breast_cancer": sk_datasets.load_breast_cancer,
    "diabetes": sk_datasets.load_diabetes,
    "digits": sk_datasets.load_digits,
}


@dataclass
class DataSet:
    frame: pd.DataFrame  # features and the target column
    features: list[tuple[str, str]]  # (name, description)
    target: str
    source: str  # in words, for the documentation


@dataclass
class Variant:
    """One fitted family: the version file and what it predicted on the held-out split."""

    family: str
    params: dict[str, Any]
    data: bytes  # skops
    predicted: np.ndarray
    proba: np.ndarray | None


@dataclass
class Trained:
    use_case: UseCase
    data: DataSet
    classes: list[int]
    y_test: np.ndarray
    variants: list[Variant]
    train_rows: int
    test_rows: int
    reference_stats: dict[str, Any]  # drift reference of the training features (modelhub.drift.reference)


def load_data(use_case: UseCase) -> DataSet:
    seed = use_case.seed()
    if use_case.source in BUNDLED:
        bunch = BUNDLED[use_case.source](as_frame=True)
        frame = bunch.frame.rename(columns={"target": use_case.target})
        names = [c for c in frame.columns if c != use_case.target]
        described = [(n, f"{n} (scikit-learn {use_case.source} dataset)") for n in names]
        return DataSet(frame, described, use_case.target, f"scikit-learn's bundled `{use_case.source}` dataset")
    n = len(use_case.features)
    if use_case.task == "classification":
        share = use_case.positive_rate or 0.5
        x, y = sk_datasets.make_classification(
            n_samples=GENERATED_ROWS,
            n_features=n,
            n_informative=max(2, n - 2),
            n_redundant=1 if n > 4 else 0,
            weights=[1 - share],
            class_sep=0.9,
            flip_y=0.03,
            random_state=seed % 2**31,
        )
    else:
        x, y = sk_datasets.make_regression(
            n_samples=GENERATED_ROWS, n_features=n, n_informative=max(2, n - 1), noise=18.0, random_state=seed % 2**31
        )
        y = use_case.target_loc + use_case.target_scale * y
        y = np.round(y, 2)
    columns = {}
    for i, feature in enumerate(use_case.features):
        values = feature.loc + feature.scale * x[:, i]
        columns[feature.name] = np.round(values, feature.decimals) if feature.decimals else np.round(values)
    frame = pd.DataFrame(columns)
    frame[use_case.target] = y
    described = [(f.name, f.description) for f in use_case.features]
    return DataSet(frame, described, use_case.target, "generated with scikit-learn's make_" + use_case.task)


def families(use_case: UseCase) -> list[tuple[str, Any, dict[str, Any]]]:
    """Three families, simplest first: versions 1, 2 and 3 of every model of the use case. Kept small
    (a skops tree costs ~25 kB) so 300 models stay light."""
    seed = use_case.seed() % 2**31
    if use_case.task == "regression":
        return [
            ("ridge", make_pipeline(StandardScaler(), Ridge(alpha=1.0)), {"alpha": 1.0, "scaler": "standard"}),
            ("decision_tree", DecisionTreeRegressor(max_depth=6, random_state=seed), {"max_depth": 6}),
            (
                "random_forest",
                RandomForestRegressor(n_estimators=8, max_depth=7, random_state=seed),
                {"n_estimators": 8, "max_depth": 7},
            ),
        ]
    return [
        (
            "logistic_regression",
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=300, C=1.0)),
            {"C": 1.0, "max_iter": 300, "scaler": "standard"},
        ),
        ("decision_tree", DecisionTreeClassifier(max_depth=5, random_state=seed), {"max_depth": 5}),
        (
            "random_forest",
            RandomForestClassifier(n_estimators=8, max_depth=7, random_state=seed),
            {"n_estimators": 8, "max_depth": 7},
        ),
    ]


def train(use_case: UseCase, versions: int = 3) -> Trained:
    data = load_data(use_case)
    x = data.frame.drop(columns=[data.target])
    y = data.frame[data.target].to_numpy()
    classifier = use_case.task == "classification"
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SHARE, random_state=use_case.seed() % 2**31, stratify=y if classifier else None
    )
    classes = sorted(int(c) for c in np.unique(y)) if classifier else []
    variants = []
    for family, estimator, params in families(use_case)[:versions]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(x_train, y_train)
        proba = estimator.predict_proba(x_test) if classifier else None
        variants.append(Variant(family, params, skops.io.dumps(estimator), estimator.predict(x_test), proba))
    reference = compute_reference(x_train)
    return Trained(use_case, data, classes, np.asarray(y_test), variants, len(x_train), len(x_test), reference)


def _auc(scores: np.ndarray, positive: np.ndarray) -> float | None:
    """ROC AUC as the Mann-Whitney statistic (ties count half); None without both classes."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks of ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def metrics_for(trained: Trained, variant: Variant, sample_seed: str) -> dict[str, float]:
    """Metrics of one variant on a bootstrap resample of the held-out split (seeded by the model).
    Plain numpy, the same definitions as sklearn.metrics (binary: the positive class 1; multiclass:
    macro averages, one-vs-rest AUC), several times faster for hundreds of small evaluations."""
    rng = np.random.default_rng(int(hashlib.sha256(sample_seed.encode()).hexdigest()[:12], 16))
    n = len(trained.y_test)
    idx = rng.integers(0, n, n)
    y_true, y_pred = trained.y_test[idx], variant.predicted[idx]
    out: dict[str, float] = {}
    if trained.use_case.task == "regression":
        error = y_true - y_pred
        out["rmse"] = float(np.sqrt(np.mean(error**2)))
        out["mae"] = float(np.mean(np.abs(error)))
        total = float(np.sum((y_true - y_true.mean()) ** 2))
        out["r2"] = 1.0 - float(np.sum(error**2)) / total if total else 0.0
        return {name: round(value, 4) for name, value in out.items()}
    classes = trained.classes
    binary = len(classes) == 2
    proba = variant.proba[idx]
    out["accuracy"] = float(np.mean(y_true == y_pred))
    per_class = []
    for c in classes[1:] if binary else classes:
        tp = float(np.sum((y_pred == c) & (y_true == c)))
        predicted, actual = float(np.sum(y_pred == c)), float(np.sum(y_true == c))
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append((precision, recall, f1))
    out["precision"], out["recall"], out["f1"] = (float(np.mean([p[i] for p in per_class])) for i in range(3))
    column = np.searchsorted(classes, y_true)
    clipped = np.clip(proba[np.arange(n), column], 1e-15, 1.0)
    out["log_loss"] = float(-np.mean(np.log(clipped)))
    aucs = [_auc(proba[:, i], y_true == c) for i, c in enumerate(classes)][1 if binary else 0 :]
    aucs = [a for a in aucs if a is not None]
    if aucs:
        out["roc_auc"] = float(np.mean(aucs))
    return {name: round(value, 4) for name, value in out.items()}


def dataset_file(trained: Trained, parquet: bool) -> tuple[str, bytes]:
    """The use case's data (features and target) as a small CSV or Parquet file."""
    slug = trained.use_case.slug
    buffer = io.BytesIO()
    if parquet:
        trained.data.frame.to_parquet(buffer, index=False)
        return f"{slug}.parquet", buffer.getvalue()
    trained.data.frame.to_csv(buffer, index=False)
    return f"{slug}.csv", buffer.getvalue()
