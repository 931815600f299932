"""A tiny scikit-learn model and the dataset it scores, registered through the registry API.

The model is a LogisticRegression on four numeric features, saved with skops (the format that
does not run code on load); the dataset is a CSV with an `id` column and the same features.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

FEATURES = ["f1", "f2", "f3", "f4"]


def frame(rows: int = 200, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    data.insert(0, "id", [f"row-{i:04d}" for i in range(rows)])
    return data


def train(seed: int = 7) -> LogisticRegression:
    data = frame(300, seed)
    labels = (data["f1"] + 0.5 * data["f2"] - data["f3"] > 0).astype(int)
    return LogisticRegression().fit(data[FEATURES], labels)


def skops_bytes(model) -> bytes:
    from skops.io import dumps

    return dumps(model)


def load_skops(data: bytes):
    from skops.io import get_untrusted_types, loads

    return loads(data, trusted=get_untrusted_types(data=data))


def csv_bytes(data: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    data.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


@dataclass
class Registered:
    model: dict[str, Any]
    version: dict[str, Any]
    dataset: dict[str, Any]
    model_file: bytes
    data: pd.DataFrame

    def expected_predictions(self) -> pd.DataFrame:
        """What scoring the dataset with the same model file gives, computed here."""
        model = load_skops(self.model_file)
        return pd.DataFrame({"id": self.data["id"], "prediction": model.predict(self.data[FEATURES])})


def register(http, headers: dict[str, str], name: str, rows: int = 200) -> Registered:
    """Model + skops version + CSV dataset through the API (`http`: a TestClient or httpx.Client)."""
    created = http.post(
        "/api/models",
        json={"name": name, "framework": "sklearn", "task_type": "classification", "department": "marketing"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    model_file = skops_bytes(train())
    version = http.post(
        f"/api/models/{created.json()['id']}/versions",
        files={"file": ("model.skops", model_file, "application/octet-stream")},
        headers=headers,
    )
    assert version.status_code == 201, version.text
    data = frame(rows)
    dataset = http.post(
        "/api/datasets",
        files={"file": (f"{name}.csv", csv_bytes(data), "text/csv")},
        data={"name": f"{name} scoring input"},
        headers=headers,
    )
    assert dataset.status_code == 201, dataset.text
    return Registered(created.json(), version.json(), dataset.json(), model_file, data)
