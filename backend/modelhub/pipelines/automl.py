"""AutoML: choose a model family and tune it with Optuna, cross-validated, within a trial and time budget.

Each trial picks a family (among those allowed for the run), suggests its hyper-parameters and
scores them by k-fold cross-validation (stratified for classification) on the training split. The
study stops after `n_trials` trials or `timeout_s` seconds, whichever comes first; a trial running
when the time is up finishes (the torch MLP stops its epochs at the deadline). The best trial's
model is then refit on the whole training split by the caller.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from modelhub.pipelines.evaluate import DEFAULT_METRIC, higher_is_better, metric_names, model_metrics
from modelhub.pipelines.families import FAMILIES, family_params


class SearchFailed(Exception):
    """No trial produced a usable model; the message says why."""


@dataclass
class TrialResult:
    number: int
    family: str
    params: dict[str, Any]
    score: float | None
    fold_scores: list[float]
    seconds: float
    error: str | None = None


@dataclass
class SearchResult:
    metric: str
    best: TrialResult
    trials: list[TrialResult] = field(default_factory=list)
    seconds: float = 0.0


def check_options(task_type: str, families: list[str] | None, metric: str | None) -> tuple[list[str], str]:
    chosen = list(families or FAMILIES)
    unknown = [f for f in chosen if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown model families {', '.join(unknown)} (known: {', '.join(FAMILIES)})")
    metric = metric or DEFAULT_METRIC[task_type]
    if metric not in metric_names(task_type):
        names = ", ".join(metric_names(task_type))
        raise ValueError(f"metric {metric} does not apply to {task_type} (use one of {names})")
    return chosen, metric


def folds(X: np.ndarray, y: np.ndarray, task_type: str, cv_folds: int, seed: int) -> list:
    from sklearn.model_selection import KFold, StratifiedKFold

    if task_type == "classification":
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= cv_folds:
            return list(StratifiedKFold(cv_folds, shuffle=True, random_state=seed).split(X, y))
    return list(KFold(cv_folds, shuffle=True, random_state=seed).split(X))


def cross_validate(
    family: str,
    params: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    splits,
    task_type: str,
    metric: str,
    seed: int,
    deadline: float | None,
) -> list[float]:
    scores = []
    for train_index, test_index in splits:
        model = FAMILIES[family].build(params, task_type, seed, deadline)
        model.fit(X[train_index], y[train_index])
        value = model_metrics(task_type, model, X[test_index], y[test_index]).get(metric)
        if value is None:
            raise ValueError(f"{metric} could not be computed on a fold (a single class in it?)")
        scores.append(value)
    return scores


def search(
    X: np.ndarray,
    y: np.ndarray,
    task_type: str,
    *,
    families: list[str] | None = None,
    metric: str | None = None,
    n_trials: int = 20,
    timeout_s: float = 600,
    cv_folds: int = 3,
    seed: int = 0,
    on_trial: Callable[[TrialResult], None] | None = None,
    log: Callable[[str], None] = print,
) -> SearchResult:
    import optuna

    families, metric = check_options(task_type, families, metric)
    if len(y) < cv_folds * 2:
        raise SearchFailed(f"{len(y)} training rows are too few for {cv_folds}-fold cross-validation")
    if task_type == "classification" and len(np.unique(y)) < 2:
        raise SearchFailed("the target has a single class in the training data: nothing to learn")
    splits = folds(X, y, task_type, cv_folds, seed)
    started = time.monotonic()
    deadline = started + timeout_s
    results: list[TrialResult] = []

    def objective(trial) -> float:
        family = trial.suggest_categorical("family", families)
        params = FAMILIES[family].suggest(trial, task_type)
        began = time.monotonic()
        try:
            scores = cross_validate(family, params, X, y, splits, task_type, metric, seed, deadline)
        except Exception as exc:  # a family failing on this data must not end the search
            result = TrialResult(trial.number, family, params, None, [], time.monotonic() - began, str(exc)[:500])
            results.append(result)
            log(f"trial {trial.number}: {family} failed: {result.error}")
            if on_trial:
                on_trial(result)
            raise optuna.TrialPruned(result.error) from exc
        score = float(np.mean(scores))
        result = TrialResult(trial.number, family, params, score, scores, time.monotonic() - began)
        results.append(result)
        log(f"trial {trial.number}: {family} {metric}={score:.4f} ({result.seconds:.1f} s) {params}")
        if on_trial:
            on_trial(result)
        return score if math.isfinite(score) else (-math.inf if higher_is_better(metric) else math.inf)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize" if higher_is_better(metric) else "minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
    )
    # every family gets one trial first (as far as the budget goes), then TPE takes over
    for family in families[:n_trials]:
        study.enqueue_trial({"family": family})
    study.optimize(objective, n_trials=n_trials, timeout=timeout_s)
    done = [r for r in results if r.score is not None and math.isfinite(r.score)]
    if not done:
        errors = "; ".join(f"{r.family}: {r.error}" for r in results[:4]) or "no trial finished in the time budget"
        raise SearchFailed(f"no model could be trained ({errors})")
    best_trial = study.best_trial
    best = next(r for r in done if r.number == best_trial.number)
    assert best.family == family_params(best_trial.params)[0]
    return SearchResult(metric, best, results, time.monotonic() - started)
