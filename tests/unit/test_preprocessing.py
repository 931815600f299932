"""FittedPreprocessing.apply on pandas frames, from a hand-written fitted preprocessing (no Spark)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modelhub.pipelines.preprocessing import FittedPreprocessing, PreprocessingError

DOCUMENT = {
    "format": "modelhub.preprocessing/1",
    "target": "label",
    "task_type": "classification",
    "id_column": "id",
    "target_classes": ["no", "yes"],
    "columns": [
        {"kind": "numeric", "name": "age", "median": 40.0, "mean": 41.0, "std": 10.0},
        {
            "kind": "categorical",
            "name": "color",
            "mode": "red",
            "encoding": "onehot",
            "categories": ["red", "blue"],
            "outputs": ["color__red", "color__blue"],
        },
        {"kind": "numeric", "name": "active", "median": 1.0, "mean": 0.5, "std": 0.5},
        {
            "kind": "categorical",
            "name": "city",
            "mode": "Paris",
            "encoding": "index",
            "categories": ["Paris", "Lyon", "Nice"],
            "outputs": ["city"],
        },
    ],
    "feature_names": ["color__red", "color__blue"],  # ignored on read: derived from the columns
    "dropped_columns": [{"name": "when", "reason": "unsupported type timestamp"}],
    "fitted_on": {"split": "train", "rows": 100, "seed": 7},
}


@pytest.fixture
def fitted() -> FittedPreprocessing:
    return FittedPreprocessing.from_dict(DOCUMENT)


def test_feature_names_follow_the_input_column_order(fitted):
    assert fitted.feature_names == ["age", "color__red", "color__blue", "active", "city"]
    assert fitted.input_columns == ["age", "color", "active", "city"]


def test_apply_imputes_encodes_and_scales(fitted):
    frame = pd.DataFrame(
        {
            "id": [10, 11, 12, 13],
            "city": ["Lyon", None, "Brest", "Nice"],  # columns in any order; Brest is unseen
            "age": [51.0, None, 21.0, np.nan],
            "color": ["blue", None, "green", "red"],
            "active": [True, False, True, False],
            "label": ["yes", "no", "yes", "no"],  # the target is never a feature
            "extra": [1, 2, 3, 4],
        },
        index=[5, 6, 7, 8],
    )
    out = fitted.apply(frame)
    assert list(out.columns) == fitted.feature_names
    assert list(out.index) == [5, 6, 7, 8]
    expected = pd.DataFrame(
        {
            "age": [1.0, -0.1, -2.0, -0.1],  # (x - 41) / 10, nulls and NaN -> median 40
            "color__red": [0.0, 1.0, 0.0, 1.0],  # null -> mode red; unseen green -> all zeros
            "color__blue": [1.0, 0.0, 0.0, 0.0],
            "active": [1.0, -1.0, 1.0, -1.0],  # booleans are numbers: (1 - 0.5) / 0.5
            "city": [1.0, 0.0, 3.0, 2.0],  # code of the category; null -> Paris (0); unseen -> 3
        },
        index=[5, 6, 7, 8],
    )
    pd.testing.assert_frame_equal(out, expected)


def test_numeric_text_that_is_not_a_number_is_imputed(fitted):
    frame = pd.DataFrame({"age": ["60", "n/a"], "color": ["red", "red"], "active": [1, 0], "city": ["Nice", "Nice"]})
    out = fitted.apply(frame)
    assert out["age"].tolist() == [1.9, -0.1]


def test_categorical_values_compare_as_text(fitted):
    frame = pd.DataFrame({"age": [1.0], "color": ["blue"], "active": [0], "city": [3]})  # 3 -> "3": unseen
    assert fitted.apply(frame)["city"].tolist() == [3.0]


def test_missing_columns_are_named(fitted):
    with pytest.raises(PreprocessingError, match="color, city"):
        fitted.apply(pd.DataFrame({"age": [1.0], "active": [1]}))


def test_json_round_trip(fitted):
    text = fitted.to_json()
    again = FittedPreprocessing.from_json(text)
    assert again == fitted
    document = json.loads(text)
    assert document["feature_names"] == fitted.feature_names
    assert document["columns"][1]["outputs"] == ["color__red", "color__blue"]
    assert document["dropped_columns"] == DOCUMENT["dropped_columns"]


def test_unknown_documents_are_refused():
    with pytest.raises(PreprocessingError, match="format"):
        FittedPreprocessing.from_dict({**DOCUMENT, "format": "sklearn"})
    with pytest.raises(PreprocessingError, match="kind"):
        FittedPreprocessing.from_dict({**DOCUMENT, "columns": [{"kind": "text", "name": "x"}]})


def test_an_empty_frame_gives_an_empty_result(fitted):
    frame = pd.DataFrame({"age": [], "color": [], "active": [], "city": []})
    out = fitted.apply(frame)
    assert out.shape == (0, 5)
