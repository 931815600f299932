"""Model quality by task type, the figures that show it, and which metrics are better high or low.

Classification: accuracy, precision, recall, F1 (binary for two classes, macro-averaged beyond),
ROC AUC and log loss (when the model gives probabilities); a confusion matrix and ROC and
precision-recall curves (one-vs-rest per class beyond two classes) as JSON and PNG.
Regression: RMSE, MAE, R²; predicted-vs-actual as JSON and PNG.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
REGRESSION_METRICS = ("rmse", "mae", "r2")
LOWER_IS_BETTER = frozenset({"log_loss", "rmse", "mae"})
DEFAULT_METRIC = {"classification": "roc_auc", "regression": "rmse"}
MAX_CURVE_POINTS = 200


def metric_names(task_type: str) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task_type == "classification" else REGRESSION_METRICS


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def improvement(metric: str, candidate: float, reference: float) -> float:
    """How much better `candidate` is than `reference` (positive: better), in the metric's units."""
    return candidate - reference if higher_is_better(metric) else reference - candidate


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items() if v is not None and math.isfinite(float(v))}


def classification_metrics(y_true, y_pred, proba: np.ndarray | None, classes) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, log_loss, precision_recall_fscore_support, roc_auc_score

    classes = list(classes)
    binary = len(classes) == 2
    average = "binary" if binary else "macro"
    pos = classes[1] if binary else 1
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average=average, pos_label=pos, labels=classes if not binary else None, zero_division=0
    )
    out = {"accuracy": accuracy_score(y_true, y_pred), "precision": precision, "recall": recall, "f1": f1}
    if proba is not None and len(set(np.asarray(y_true).tolist())) > 1:
        try:
            if binary:
                out["roc_auc"] = roc_auc_score(np.asarray(y_true) == classes[1], proba[:, 1])
            else:
                out["roc_auc"] = roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=classes)
            out["log_loss"] = log_loss(y_true, np.clip(proba, 1e-15, 1 - 1e-15), labels=classes)
        except ValueError:
            pass  # a class of the model is absent from these labels: no ranking metric then
    return _finite(out)


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    out = {
        "rmse": math.sqrt(mean_squared_error(y_true, y_pred)),
        "mae": mean_absolute_error(y_true, y_pred),
        "r2": r2_score(y_true, y_pred) if len(y_true) > 1 else float("nan"),
    }
    return _finite(out)


def model_metrics(task_type: str, model, X, y) -> dict[str, float]:
    predicted = model.predict(X)
    if task_type == "classification":
        proba = model.predict_proba(X) if hasattr(model, "predict_proba") else None
        return classification_metrics(y, predicted, proba, model.classes_)
    return regression_metrics(y, predicted)


def _thin(*arrays: np.ndarray) -> list[list[float]]:
    """Curves cut to at most MAX_CURVE_POINTS points (evenly spaced), as plain lists for JSON."""
    size = len(arrays[0])
    index = np.unique(np.linspace(0, size - 1, min(size, MAX_CURVE_POINTS)).round().astype(int)) if size else []
    return [[round(float(a[i]), 6) for i in index] for a in arrays]


def classification_report(y_true, y_pred, proba: np.ndarray | None, classes) -> dict[str, Any]:
    """Confusion matrix and, with probabilities, ROC and precision-recall curves per positive class."""
    from sklearn.metrics import auc, confusion_matrix, precision_recall_curve, roc_curve

    classes = list(classes)
    y_true = np.asarray(y_true)
    report: dict[str, Any] = {
        "classes": [str(c) for c in classes],
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist(),
        "roc": [],
        "pr": [],
    }
    if proba is None:
        return report
    positives = [1] if len(classes) == 2 else range(len(classes))
    for index in positives:
        truth = y_true == classes[index]
        if truth.all() or not truth.any():
            continue
        fpr, tpr, _ = roc_curve(truth, proba[:, index])
        precision, recall, _ = precision_recall_curve(truth, proba[:, index])
        fpr_l, tpr_l = _thin(fpr, tpr)
        precision_l, recall_l = _thin(precision, recall)
        report["roc"].append({"class": str(classes[index]), "fpr": fpr_l, "tpr": tpr_l, "auc": float(auc(fpr, tpr))})
        pr_auc = float(auc(recall, precision))
        report["pr"].append({"class": str(classes[index]), "precision": precision_l, "recall": recall_l, "auc": pr_auc})
    return report


def regression_report(y_true, y_pred) -> dict[str, Any]:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    order = np.argsort(y_true)
    actual, predicted = _thin(y_true[order], y_pred[order])
    residuals = y_pred - y_true
    return {
        "actual": actual,
        "predicted": predicted,
        "residual_quantiles": {str(q): float(np.quantile(residuals, q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}
        if len(residuals)
        else {},
    }


# -- figures -------------------------------------------------------------------------------------
def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display in a job process
    import matplotlib.pyplot as plt

    return plt


def figures(task_type: str, report: dict[str, Any], title: str) -> dict[str, bytes]:
    """PNG images by file name."""
    plt = _pyplot()
    out: dict[str, bytes] = {}
    if task_type == "classification":
        matrix = np.asarray(report["confusion_matrix"])
        size = max(3.0, 0.6 * len(report["classes"]) + 2)
        fig, ax = plt.subplots(figsize=(size, size))
        ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(len(report["classes"])), report["classes"], rotation=45, ha="right")
        ax.set_yticks(range(len(report["classes"])), report["classes"])
        ax.set_xlabel("predicted")
        ax.set_ylabel("actual")
        ax.set_title(f"{title}: confusion matrix")
        threshold = matrix.max() / 2 if matrix.size else 0
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > threshold else "black")
        out["confusion_matrix.png"] = _png(fig)
        if report["roc"]:
            fig, ax = plt.subplots(figsize=(5, 5))
            for curve in report["roc"]:
                ax.plot(curve["fpr"], curve["tpr"], label=f"{curve['class']} (AUC {curve['auc']:.3f})")
            ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
            ax.set_xlabel("false positive rate")
            ax.set_ylabel("true positive rate")
            ax.set_title(f"{title}: ROC")
            ax.legend(loc="lower right")
            out["roc_curve.png"] = _png(fig)
            fig, ax = plt.subplots(figsize=(5, 5))
            for curve in report["pr"]:
                ax.plot(curve["recall"], curve["precision"], label=f"{curve['class']} (AP {curve['auc']:.3f})")
            ax.set_xlabel("recall")
            ax.set_ylabel("precision")
            ax.set_title(f"{title}: precision-recall")
            ax.legend(loc="lower left")
            out["pr_curve.png"] = _png(fig)
    else:
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.scatter(report["actual"], report["predicted"], s=8, alpha=0.6)
        if report["actual"]:
            low, high = min(report["actual"]), max(report["actual"])
            ax.plot([low, high], [low, high], linestyle="--", color="grey")
        ax.set_xlabel("actual")
        ax.set_ylabel("predicted")
        ax.set_title(f"{title}: predicted vs actual")
        out["predicted_vs_actual.png"] = _png(fig)
    return out
