"""Spark batch scoring (spark-submit, local master): the same predictions as scoring in pandas.

One spark-submit: a logistic regression on breast cancer (saved with skops), applied through a
fitted preprocessing to the raw rows (with nulls and a categorical) in the object store; the CSV
of predictions and probabilities must equal the model's own output on FittedPreprocessing.apply.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

from modelhub.config import Settings
from modelhub.pipelines.preprocessing import CategoricalColumn, FittedPreprocessing, NumericColumn
from modelhub.pipelines.spark import score_with_spark
from modelhub.stores.objects.local import LocalObjectStore

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


def dataset() -> pd.DataFrame:
    frame = load_breast_cancer(as_frame=True).frame.drop(columns=["target"])
    frame.columns = [c.replace(" ", "_") for c in frame.columns]
    rng = np.random.default_rng(1)
    frame["site"] = rng.choice(["north", "south", "east"], len(frame))
    frame.loc[rng.choice(len(frame), 30, replace=False), "mean_radius"] = np.nan
    frame.loc[rng.choice(len(frame), 30, replace=False), "site"] = None
    frame.insert(0, "id", [f"p{i:04d}" for i in range(len(frame))])  # text ids survive as they are
    return frame


def fitted_for(frame: pd.DataFrame) -> FittedPreprocessing:
    numeric = [
        NumericColumn(name, float(frame[name].median()), float(frame[name].mean()), float(frame[name].std()))
        for name in frame.columns[1:-1]
    ]
    site = CategoricalColumn("site", "north", "onehot", ["north", "south"], ["site__north", "site__south"])
    order = [("numeric", c.name) for c in numeric] + [("categorical", "site")]
    return FittedPreprocessing("target", "classification", numeric, [site], order, id_column="id")


def test_spark_scoring_equals_local_scoring(tmp_path):
    frame = dataset()
    fitted = fitted_for(frame)
    labels = load_breast_cancer().target
    model = LogisticRegression(max_iter=2000).fit(fitted.apply(frame), labels)
    model_path = tmp_path / "model.skops"
    skops.io.dump(model, model_path)

    objects = LocalObjectStore(tmp_path / "objects")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    objects.put_bytes("datasets/patients.parquet", buffer.getvalue())
    settings = Settings(data_dir=tmp_path / "data", spark_master="local[2]")
    result = score_with_spark(
        objects,
        input_key="datasets/patients.parquet",
        input_format="parquet",
        model_path=model_path,
        model_format="skops",
        output_key="executions/e1/results/predictions.csv",
        preprocessing=fitted,
        id_column="id",
        include_probabilities=True,
        batch_size=100,  # several Arrow batches per partition
        settings=settings,
    )
    assert result.rows == len(frame)
    assert result.keys == ["executions/e1/results/predictions.csv"]
    assert result.columns == ["id", "prediction", "probability_0", "probability_1"]

    written = pd.read_csv(io.BytesIO(objects.read_bytes(result.keys[0])))
    assert written["id"].tolist() == frame["id"].tolist()  # the input's order, header once
    features = fitted.apply(frame)
    assert (written["prediction"].to_numpy() == model.predict(features)).all()
    np.testing.assert_allclose(
        written[["probability_0", "probability_1"]].to_numpy(), model.predict_proba(features), rtol=1e-12
    )
