"""The model families AutoML chooses among, each with its Optuna search space.

A family suggests its hyper-parameters on an Optuna trial (names prefixed with the family, so the
space is conditional on the family chosen) and builds an estimator with `fit`, `predict` and, for
classifiers, `predict_proba` and `classes_`. Inputs are the numeric matrices the preprocessing
step produced (imputed, encoded, scaled), so every family takes them as they are.

The torch MLP trains on CUDA when `torch.cuda.is_available()` and on the CPU otherwise. It is saved
as a dict of tensors and plain values (`torch.save`), loaded back with `weights_only=True`: no code
from the file runs on load.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

TASK_TYPES = ("classification", "regression")


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    suggest: Callable[[Any, str], dict[str, Any]]
    build: Callable[[dict[str, Any], str, int, float | None], Any]


# -- linear / logistic ---------------------------------------------------------------------------
def _suggest_linear(trial, task_type: str) -> dict[str, Any]:
    if task_type == "classification":
        return {"C": trial.suggest_float("linear.C", 1e-3, 1e2, log=True)}
    return {"alpha": trial.suggest_float("linear.alpha", 1e-4, 1e2, log=True)}


def _build_linear(params: dict[str, Any], task_type: str, seed: int, deadline: float | None):
    from sklearn.linear_model import LogisticRegression, Ridge

    if task_type == "classification":
        return LogisticRegression(C=params["C"], max_iter=2000, random_state=seed)
    return Ridge(alpha=params["alpha"], random_state=seed)


# -- random forest -------------------------------------------------------------------------------
def _suggest_forest(trial, task_type: str) -> dict[str, Any]:
    return {
        "n_estimators": trial.suggest_int("random_forest.n_estimators", 50, 300, step=50),
        "max_depth": trial.suggest_int("random_forest.max_depth", 2, 16),
        "min_samples_leaf": trial.suggest_int("random_forest.min_samples_leaf", 1, 10),
        "max_features": trial.suggest_categorical("random_forest.max_features", ["sqrt", "log2", "all"]),
    }


def _build_forest(params: dict[str, Any], task_type: str, seed: int, deadline: float | None):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestClassifier if task_type == "classification" else RandomForestRegressor
    features = None if params["max_features"] == "all" else params["max_features"]
    return cls(
        n_estimators=params["n_estimators"],
        max_depth=params["max_depth"],
        min_samples_leaf=params["min_samples_leaf"],
        max_features=features,
        random_state=seed,
        n_jobs=1,  # the machine is shared; trials run one after the other
    )


# -- gradient boosting ---------------------------------------------------------------------------
def _suggest_boosting(trial, task_type: str) -> dict[str, Any]:
    return {
        "learning_rate": trial.suggest_float("gradient_boosting.learning_rate", 0.01, 0.3, log=True),
        "max_iter": trial.suggest_int("gradient_boosting.max_iter", 50, 300, step=50),
        "max_leaf_nodes": trial.suggest_int("gradient_boosting.max_leaf_nodes", 8, 64, log=True),
        "l2_regularization": trial.suggest_float("gradient_boosting.l2_regularization", 1e-6, 1.0, log=True),
    }


def _build_boosting(params: dict[str, Any], task_type: str, seed: int, deadline: float | None):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingClassifier if task_type == "classification" else HistGradientBoostingRegressor
    return cls(**params, random_state=seed)


# -- torch MLP -----------------------------------------------------------------------------------
def torch_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class TorchMLP:
    """A small fully connected network with a scikit-learn-like face (fit/predict/predict_proba)."""

    def __init__(
        self,
        task_type: str,
        hidden: int = 64,
        layers: int = 2,
        dropout: float = 0.1,
        lr: float = 1e-3,
        weight_decay: float = 1e-5,
        epochs: int = 100,
        batch_size: int = 64,
        seed: int = 0,
        deadline: float | None = None,
    ):
        self.task_type = task_type
        self.hidden, self.layers, self.dropout = hidden, layers, dropout
        self.lr, self.weight_decay, self.epochs, self.batch_size = lr, weight_decay, epochs, batch_size
        self.seed = seed
        self.deadline = deadline
        self.device = torch_device()
        self.network = None
        self.classes_: np.ndarray | None = None
        self.n_features_in_ = 0
        self.target_mean, self.target_std = 0.0, 1.0

    @property
    def n_outputs(self) -> int:
        return len(self.classes_) if self.classes_ is not None else 1

    def architecture(self) -> dict[str, Any]:
        return {
            "kind": "modelhub.mlp",
            "task_type": self.task_type,
            "n_features": self.n_features_in_,
            "hidden": self.hidden,
            "layers": self.layers,
            "dropout": self.dropout,
            "classes": None if self.classes_ is None else self.classes_.tolist(),
            "target_mean": self.target_mean,
            "target_std": self.target_std,
        }

    def _make_network(self):
        import torch.nn as nn

        blocks, width = [], self.n_features_in_
        for _ in range(self.layers):
            blocks += [nn.Linear(width, self.hidden), nn.ReLU(), nn.Dropout(self.dropout)]
            width = self.hidden
        blocks.append(nn.Linear(width, self.n_outputs))
        return nn.Sequential(*blocks)

    def fit(self, X, y) -> TorchMLP:
        import torch

        torch.manual_seed(self.seed)
        if self.device == "cpu":  # small dense layers: extra threads on a shared machine cost more than they give
            torch.set_num_threads(max(1, min(4, (os.cpu_count() or 2) // 2)))
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        self.n_features_in_ = X.shape[1]
        if self.task_type == "classification":
            self.classes_, codes = np.unique(y, return_inverse=True)
            target = torch.as_tensor(codes, dtype=torch.long)
            loss_fn = torch.nn.CrossEntropyLoss()
        else:
            y = y.astype(np.float64)
            self.target_mean, self.target_std = float(y.mean()), float(y.std() or 1.0)
            target = torch.as_tensor((y - self.target_mean) / self.target_std, dtype=torch.float32).reshape(-1, 1)
            loss_fn = torch.nn.MSELoss()
        self.network = self._make_network().to(self.device)
        optimizer = torch.optim.AdamW(self.network.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        inputs = torch.as_tensor(X)
        generator = torch.Generator().manual_seed(self.seed)
        self.network.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(inputs), generator=generator)
            for start in range(0, len(order), self.batch_size):
                index = order[start : start + self.batch_size]
                optimizer.zero_grad()
                loss = loss_fn(self.network(inputs[index].to(self.device)), target[index].to(self.device))
                loss.backward()
                optimizer.step()
            if self.deadline is not None and time.monotonic() > self.deadline:
                break  # the time budget is spent: keep what was learned so far
        self.network.eval()
        return self

    def _forward(self, X):
        import torch

        with torch.no_grad():
            inputs = torch.as_tensor(np.asarray(X, dtype=np.float32)).to(self.device)
            return self.network(inputs).cpu()

    def predict_proba(self, X) -> np.ndarray:
        import torch

        return torch.softmax(self._forward(X).double(), dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        if self.task_type == "classification":
            return self.classes_[self.predict_proba(X).argmax(axis=1)]
        return self._forward(X).numpy().reshape(-1).astype(np.float64) * self.target_std + self.target_mean

    # -- files: tensors and plain values only, so torch.load(weights_only=True) reads them --------
    def save(self, path: Path) -> None:
        import torch

        state = {k: v.detach().cpu() for k, v in self.network.state_dict().items()}
        torch.save({"architecture": self.architecture(), "state_dict": state}, path)

    @classmethod
    def load(cls, path: Path) -> TorchMLP:
        import torch

        saved = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(saved, dict) or (saved.get("architecture") or {}).get("kind") != "modelhub.mlp":
            raise ValueError("not a ModelHub MLP file (a torch state dict with a modelhub.mlp architecture)")
        arch = saved["architecture"]
        model = cls(arch["task_type"], hidden=arch["hidden"], layers=arch["layers"], dropout=arch["dropout"])
        model.n_features_in_ = arch["n_features"]
        model.classes_ = None if arch["classes"] is None else np.asarray(arch["classes"])
        model.target_mean, model.target_std = arch["target_mean"], arch["target_std"]
        model.network = model._make_network()
        model.network.load_state_dict(saved["state_dict"])
        model.network.to(model.device).eval()
        return model


def _suggest_mlp(trial, task_type: str) -> dict[str, Any]:
    return {
        "hidden": trial.suggest_categorical("mlp.hidden", [32, 64, 128]),
        "layers": trial.suggest_int("mlp.layers", 1, 3),
        "dropout": trial.suggest_float("mlp.dropout", 0.0, 0.4),
        "lr": trial.suggest_float("mlp.lr", 1e-4, 1e-2, log=True),
        "weight_decay": trial.suggest_float("mlp.weight_decay", 1e-6, 1e-2, log=True),
        "epochs": trial.suggest_int("mlp.epochs", 20, 100, step=20),
        "batch_size": trial.suggest_categorical("mlp.batch_size", [32, 64, 128, 256]),
    }


def _build_mlp(params: dict[str, Any], task_type: str, seed: int, deadline: float | None):
    return TorchMLP(task_type, **params, seed=seed, deadline=deadline)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("linear", "logistic regression (classification) or ridge (regression)", _suggest_linear, _build_linear),
        Family("random_forest", "random forest", _suggest_forest, _build_forest),
        Family("gradient_boosting", "histogram gradient boosting", _suggest_boosting, _build_boosting),
        Family("mlp", "torch multi-layer perceptron (CUDA when available)", _suggest_mlp, _build_mlp),
    )
}


def family_params(trial_params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(family, its parameters without the prefix) from an Optuna trial's flat parameters."""
    family = trial_params["family"]
    prefix = family + "."
    return family, {k[len(prefix) :]: v for k, v in trial_params.items() if k.startswith(prefix)}


def is_finite(value: float) -> bool:
    return value is not None and math.isfinite(value)
