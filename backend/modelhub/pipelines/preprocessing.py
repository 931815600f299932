"""The fitted preprocessing of a dataset, applied to pandas frames exactly as Spark applied it.

`spark_jobs/preprocess.py` fits it on the training split and writes it as `preprocessing.json`;
a registered version carries that file, so batch scoring and online serving transform their
inputs with the same numbers. Only pandas and numpy are needed here (no Spark), and the
arithmetic is the one Spark does: for a numeric column `(coalesce(x, median) - mean) / std` in
float64; for a categorical column the string value (null -> most frequent) mapped to one-hot
columns or to an index code. The JSON layout is documented in docs/spark.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMAT = "modelhub.preprocessing/1"


class PreprocessingError(ValueError):
    """The frame cannot be transformed (a column the preprocessing needs is absent)."""


@dataclass(frozen=True)
class NumericColumn:
    name: str
    median: float  # imputes nulls (and NaN)
    mean: float  # scaler: (x - mean) / std; mean 0 and std 1 when scaling is off
    std: float


@dataclass(frozen=True)
class CategoricalColumn:
    name: str
    mode: str  # imputes nulls: the most frequent value of the training split
    encoding: str  # "onehot" (one 0/1 column per kept category) or "index" (code of the category)
    categories: list[str]  # kept categories, most frequent first; others -> all zeros / code len(categories)
    outputs: list[str]  # output column names: one per category (onehot) or [name] (index)


@dataclass
class FittedPreprocessing:
    target: str
    task_type: str
    numeric: list[NumericColumn]
    categorical: list[CategoricalColumn]
    # Output order, and the order in which the input columns are read: [("numeric"|"categorical", name)].
    order: list[tuple[str, str]]
    id_column: str | None = None
    target_classes: list[Any] | None = None
    dropped_columns: list[dict[str, str]] = field(default_factory=list)
    fitted_on: dict[str, Any] = field(default_factory=dict)

    # -- description -------------------------------------------------------------------------
    @property
    def feature_names(self) -> list[str]:
        numeric = {c.name for c in self.numeric}
        categorical = {c.name: c for c in self.categorical}
        names: list[str] = []
        for kind, name in self.order:
            names.extend([name] if kind == "numeric" and name in numeric else categorical[name].outputs)
        return names

    @property
    def input_columns(self) -> list[str]:
        return [name for _, name in self.order]

    # -- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "target": self.target,
            "task_type": self.task_type,
            "id_column": self.id_column,
            "target_classes": self.target_classes,
            "columns": [
                {"kind": kind, **asdict(self._column(kind, name))}  # order of the features
                for kind, name in self.order
            ],
            "feature_names": self.feature_names,
            "dropped_columns": self.dropped_columns,
            "fitted_on": self.fitted_on,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FittedPreprocessing:
        if data.get("format") != FORMAT:
            raise PreprocessingError(f"not a {FORMAT} document (format {data.get('format')!r})")
        numeric, categorical, order = [], [], []
        for column in data["columns"]:
            kind = column["kind"]
            if kind == "numeric":
                numeric.append(
                    NumericColumn(column["name"], float(column["median"]), float(column["mean"]), float(column["std"]))
                )
            elif kind == "categorical":
                categorical.append(
                    CategoricalColumn(
                        column["name"],
                        str(column["mode"]),
                        column["encoding"],
                        [str(c) for c in column["categories"]],
                        list(column["outputs"]),
                    )
                )
            else:
                raise PreprocessingError(f"unknown column kind {kind!r} in the preprocessing")
            order.append((kind, column["name"]))
        return cls(
            target=data["target"],
            task_type=data["task_type"],
            numeric=numeric,
            categorical=categorical,
            order=order,
            id_column=data.get("id_column"),
            target_classes=data.get("target_classes"),
            dropped_columns=list(data.get("dropped_columns") or []),
            fitted_on=dict(data.get("fitted_on") or {}),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> FittedPreprocessing:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> FittedPreprocessing:
        return cls.from_json(Path(path).read_text())

    def _column(self, kind: str, name: str) -> NumericColumn | CategoricalColumn:
        columns = self.numeric if kind == "numeric" else self.categorical
        for column in columns:
            if column.name == name:
                return column
        raise PreprocessingError(f"the preprocessing orders a {kind} column {name!r} it does not define")

    # -- transform ---------------------------------------------------------------------------
    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's features for `frame` (raw columns as in the dataset), in `feature_names` order.

        Extra columns (the id, the target, anything else) are ignored; the result keeps the index.
        """
        missing = [name for name in self.input_columns if name not in frame.columns]
        if missing:
            raise PreprocessingError(
                f"the data lacks column(s) the preprocessing needs: {', '.join(missing[:10])}"
                + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else "")
            )
        out: dict[str, np.ndarray] = {}
        for kind, name in self.order:
            column = self._column(kind, name)
            if isinstance(column, NumericColumn):
                out[name] = _numeric(frame[name], column)
            else:
                out.update(_categorical(frame[name], column))
        return pd.DataFrame(out, index=frame.index, columns=self.feature_names)


def _numeric(series: pd.Series, column: NumericColumn) -> np.ndarray:
    if series.dtype == bool or str(series.dtype) == "boolean":
        series = series.astype("float64")
    values = pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(copy=True)  # text -> NaN, as a cast
    values[np.isnan(values)] = column.median
    return (values - column.mean) / column.std


def _as_text(series: pd.Series, mode: str) -> np.ndarray:
    text = series.astype(object).where(series.notna(), None).to_numpy()
    return np.array([mode if value is None else str(value) for value in text], dtype=object)


def _categorical(series: pd.Series, column: CategoricalColumn) -> dict[str, np.ndarray]:
    text = _as_text(series, column.mode)
    if column.encoding == "onehot":
        return {
            output: (text == category).astype("float64")
            for category, output in zip(column.categories, column.outputs, strict=True)
        }
    if column.encoding == "index":
        codes = {category: float(code) for code, category in enumerate(column.categories)}
        other = float(len(column.categories))
        return {column.outputs[0]: np.array([codes.get(value, other) for value in text], dtype="float64")}
    raise PreprocessingError(f"unknown encoding {column.encoding!r} for column {column.name!r}")
