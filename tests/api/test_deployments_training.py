"""Training and evaluation deployments through the API with Airflow down (their runs are in
tests/integration/test_pipelines_training.py): a training deployment names a model that may have
no version yet, needs a dataset, and its target must be a column of it; parameters are checked
against the kind's schema, naming the parameter."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import error_field
from tests.scoring import csv_bytes, frame, register


@pytest.fixture
def scientist(as_role):
    return as_role("data_scientist")


@pytest.fixture
def registered(client, scientist):
    return register(client, scientist, "churn")


@pytest.fixture
def bare_model(client, scientist):
    response = client.post(
        "/api/models", json={"name": f"fresh-{uuid.uuid4().hex[:6]}", "task_type": "classification"}, headers=scientist
    )
    assert response.status_code == 201, response.text
    return response.json()


def training(model: dict, dataset_id: str | None, **params) -> dict:
    return {
        "name": f"train-{uuid.uuid4().hex[:6]}",
        "model_id": model["id"],
        "kind": "training",
        "dataset_id": dataset_id,
        "params": {"target": "f1", "task_type": "regression", **params},
    }


def test_a_training_deployment_needs_no_model_version(client, scientist, registered, bare_model):
    response = client.post("/api/deployments", json=training(bare_model, registered.dataset["id"]), headers=scientist)
    assert response.status_code == 201, response.text
    deployment = response.json()
    assert deployment["version"] is None and deployment["alias"] is None
    assert deployment["params"] == {"target": "f1", "task_type": "regression"}


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"target": "churned"}, "params.target", "the dataset has no column 'churned'"),
        ({"task_type": "ranking"}, "params.task_type", "is not one of"),
        ({"n_trials": 0}, "params.n_trials", "less than the minimum"),
        ({"families": ["svm"]}, "params.families.0", "is not one of"),
        ({"metric": "bleu"}, "params.metric", "is not one of"),
        ({"alias": "latest"}, "params.alias", "should not be valid"),
    ],
)
def test_training_parameters_are_checked(client, scientist, registered, bare_model, change, field, says):
    response = client.post(
        "/api/deployments", json=training(bare_model, registered.dataset["id"], **change), headers=scientist
    )
    assert response.status_code == 422, response.text
    assert error_field(response) == field and says in response.json()["error"]["message"]


def test_training_needs_its_target_and_a_dataset(client, scientist, registered, bare_model):
    body = training(bare_model, registered.dataset["id"])
    del body["params"]["target"]
    response = client.post("/api/deployments", json=body, headers=scientist)
    assert response.status_code == 422 and error_field(response) == "params.target"
    response = client.post("/api/deployments", json=training(bare_model, None), headers=scientist)
    assert response.status_code == 422 and error_field(response) == "dataset_id"


def test_changing_the_dataset_or_target_is_checked_too(client, scientist, registered, bare_model):
    created = client.post("/api/deployments", json=training(bare_model, registered.dataset["id"]), headers=scientist)
    deployment = created.json()
    response = client.patch(
        f"/api/deployments/{deployment['id']}",
        json={"params": {"target": "nope", "task_type": "regression"}},
        headers=scientist,
    )
    assert response.status_code == 422 and error_field(response) == "params.target"
    other = client.post(
        "/api/datasets",
        files={"file": ("other.csv", csv_bytes(frame(10).rename(columns={"f1": "g1"})), "text/csv")},
        headers=scientist,
    )
    assert other.status_code == 201, other.text
    response = client.patch(
        f"/api/deployments/{deployment['id']}", json={"dataset_id": other.json()["id"]}, headers=scientist
    )
    assert response.status_code == 422 and "no column 'f1'" in response.json()["error"]["message"]


def test_evaluation_parameters_are_checked(client, scientist, registered):
    body = {
        "name": "evaluate churn",
        "model_id": registered.model["name"],
        "alias": "latest",
        "kind": "evaluation",
        "dataset_id": registered.dataset["id"],
        "params": {"promote_to": "champion", "min_improvement": 0.01, "target": "f1"},
    }
    assert client.post("/api/deployments", json=body, headers=scientist).status_code == 201
    body["params"] = {"promote_to": "production"}
    response = client.post("/api/deployments", json={**body, "name": "bad gate"}, headers=scientist)
    assert response.status_code == 422 and error_field(response) == "params.promote_to"
