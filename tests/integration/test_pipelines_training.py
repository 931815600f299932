"""Training and evaluation deployments end to end, through a real ModelHub server, real Airflow 3 and
real Spark (`local`): datasets shipped with scikit-learn are uploaded as CSV, a training deployment
runs preprocess (Spark) >> train (Optuna, MLflow) >> register as three Airflow tasks and registers a
version that beats a dummy baseline; an evaluation deployment scores it, writes its metrics to the
metrics store, and its gate moves the champion alias only to a better version; bad datasets fail
the run with a clear message on the execution and in its log, and register nothing.

The tests of this module share one Airflow and one app (tests/integration/conftest.py).
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import cross_val_score

from tests.harness.base import wait_for
from tests.scoring import csv_bytes, load_skops, skops_bytes

pytestmark = pytest.mark.servers

TRAINING_TASKS = ["preprocess", "train", "register"]
FAST = {"n_trials": 4, "timeout_s": 60, "cv_folds": 3}


@pytest.fixture(scope="module")
def app(orchestrated_app):
    return orchestrated_app


@pytest.fixture(scope="module")
def scientist(app):
    return app.login("datascientist", "password123")


def snake(name: str) -> str:
    return name.replace(" ", "_")


def breast_cancer() -> pd.DataFrame:
    data = load_breast_cancer(as_frame=True)
    frame = data.data.rename(columns=snake)
    frame.insert(0, "id", [f"p{i:04d}" for i in range(len(frame))])
    frame["diagnosis"] = np.where(data.target == 1, "benign", "malignant")
    return frame


def diabetes() -> pd.DataFrame:
    data = load_diabetes(as_frame=True)
    frame = data.data.copy()
    frame["progression"] = data.target
    return frame


def create_model(app, headers, task_type: str) -> dict:
    response = app.http.post(
        "/api/models",
        json={
            "name": f"automl-{task_type}-{uuid.uuid4().hex[:6]}",
            "framework": "sklearn",
            "task_type": task_type,
            "department": "rnd",
            "geography": "emea",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def upload_dataset(app, headers, name: str, data: bytes, filename: str) -> dict:
    response = app.http.post(
        "/api/datasets",
        files={"file": (filename, data, "application/octet-stream")},
        data={"name": name},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def deploy(app, headers, model: dict, dataset: dict, kind: str, params: dict, **fields) -> dict:
    body = {
        "name": f"{kind}-{uuid.uuid4().hex[:8]}",
        "model_id": model["id"],
        "kind": kind,
        "dataset_id": dataset["id"],
        "params": params,
        **fields,
    }
    response = app.http.post("/api/deployments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    deployment = response.json()
    resumed = app.http.post(f"/api/deployments/{deployment['id']}/resume", headers=headers)
    assert resumed.status_code == 200, resumed.text
    return deployment


def trigger(app, headers, deployment: dict, overrides: dict | None = None) -> dict:
    def triggered():
        response = app.http.post(
            f"/api/deployments/{deployment['id']}/executions", json={"params": overrides or {}}, headers=headers
        )
        if response.status_code == 409:  # Airflow has not loaded the resumed DAG yet
            return None
        assert response.status_code == 201, response.text
        return response.json()

    return wait_for(triggered, 60, f"trigger of {deployment['name']}", interval=1)


def finished(app, headers, execution_id: str, timeout: float = 420) -> dict:
    def done():
        body = app.http.get(f"/api/executions/{execution_id}", headers=headers).json()
        return body if body["status"] in ("success", "failed", "cancelled") else None

    return wait_for(done, timeout, f"execution {execution_id}", interval=1)


def log_text(app, headers, execution_id: str, task: str) -> str:
    logs = app.http.get(f"/api/executions/{execution_id}/logs", params={"task": task}, headers=headers)
    assert logs.status_code == 200, logs.text
    return "\n".join(line["message"] for line in logs.json()["lines"])


def versions_of(app, headers, model: dict) -> list[dict]:
    """Each version in full: lists leave out the preprocessing and reference statistics."""
    response = app.http.get(f"/api/models/{model['id']}/versions", headers=headers)
    assert response.status_code == 200, response.text
    details = []
    for item in response.json()["items"]:
        detail = app.http.get(f"/api/models/{model['id']}/versions/{item['version']}", headers=headers)
        assert detail.status_code == 200, detail.text
        details.append(detail.json())
    return details


def metric_points(series: str, labels: dict, group_by=("metric", "split", "execution_id")) -> list:
    from modelhub.stores.metrics import open_metrics_store
    from tests.conftest import job_environment

    store = open_metrics_store(job_environment()["MODELHUB_METRICS_URI"])
    try:
        now = datetime.now(UTC)
        window = (now - timedelta(hours=1), now + timedelta(minutes=1))
        return store.query(series, *window, labels=labels, group_by=group_by)
    finally:
        store.close()


def ran_in_order(execution: dict) -> list[str]:
    return [t["task_id"] for t in sorted(execution["tasks"], key=lambda t: t["start_date"] or "")]


def result_names(app, headers, execution_id: str) -> set[str]:
    return {r["name"] for r in app.http.get(f"/api/executions/{execution_id}/results", headers=headers).json()}


def result_json(app, headers, execution_id: str, name: str):
    response = app.http.get(f"/api/executions/{execution_id}/results/{name}", headers=headers)
    assert response.status_code == 200, response.text
    return json.loads(response.content)


def predict_locally(app, headers, model: dict, version: dict, frame: pd.DataFrame):
    """The registered file and preprocessing, applied here to the raw rows."""
    from modelhub.pipelines.families import TorchMLP
    from modelhub.pipelines.preprocessing import FittedPreprocessing

    artifact = app.http.get(f"/api/models/{model['id']}/versions/{version['version']}/artifact", headers=headers)
    assert artifact.status_code == 200
    if version["format"] == "skops":
        estimator = load_skops(artifact.content)
    else:
        assert version["format"] == "torch_state_dict"
        estimator = TorchMLP.load(io.BytesIO(artifact.content))
    features = FittedPreprocessing.from_dict(version["preprocessing"]).apply(frame)
    return estimator.predict(features.to_numpy(dtype=np.float64))


def test_classification_training_registers_a_version_that_beats_a_dummy(app, scientist):
    frame = breast_cancer()
    model = create_model(app, scientist, "classification")
    dataset = upload_dataset(app, scientist, "breast-cancer", csv_bytes(frame), "breast_cancer.csv")

    # the target must be a column of the dataset: refused when the deployment is created
    refused = app.http.post(
        "/api/deployments",
        json={
            "name": f"bad-{uuid.uuid4().hex[:6]}",
            "model_id": model["id"],
            "kind": "training",
            "dataset_id": dataset["id"],
            "params": {"target": "label", "task_type": "classification"},
        },
        headers=scientist,
    )
    assert refused.status_code == 422, refused.text
    assert "params.target" in refused.json()["error"]["message"]

    params = {"target": "diagnosis", "task_type": "classification", "id_column": "id", **FAST}
    deployment = deploy(app, scientist, model, dataset, "training", params)
    assert deployment["alias"] is None and deployment["version"] is None  # a model without versions
    execution = finished(app, scientist, trigger(app, scientist, deployment)["id"])
    logs = {task: log_text(app, scientist, execution["id"], task) for task in TRAINING_TASKS}
    if execution["status"] != "success":
        print(*(f"--- {task}\n{text}" for task, text in logs.items()), sep="\n")  # shown by pytest on failure
    assert execution["status"] == "success", execution.get("message")
    assert ran_in_order(execution) == TRAINING_TASKS
    assert all(t["state"] == "success" for t in execution["tasks"])
    assert execution["model_version"] == 1 and execution["message"].startswith("registered version 1")

    # each task ran its own step: Spark preprocessing, the Optuna trials, the registration
    assert "spark-submit preprocess.py" in logs["preprocess"]
    assert sum(f"trial {n}:" in logs["train"] for n in range(4)) == 4
    assert "torch on cpu" in logs["train"] or "torch on cuda" in logs["train"]
    assert f"registered {model['name']} version 1" in logs["register"]

    (version,) = versions_of(app, scientist, model)
    assert version["params"]["target"] == "diagnosis" and version["params"]["trials_run"] == 4
    assert version["params"]["family"] in ("linear", "random_forest", "gradient_boosting", "mlp")
    assert version["format"] in ("skops", "torch_state_dict") and not version["executes_code_on_load"]
    assert version["lineage"]["dataset_id"] == dataset["id"]
    assert version["lineage"]["dataset_sha256"] == dataset["sha256"]
    assert version["lineage"]["source_execution_id"] == execution["id"]
    assert version["preprocessing"]["target"] == "diagnosis"
    assert "id" not in version["preprocessing"]["feature_names"]
    if "reference_stats" in version:  # helper S's drift statistics of the raw features
        assert version["reference_stats"]

    # better than always answering the majority class
    X, y = frame.drop(columns=["id", "diagnosis"]), frame["diagnosis"]
    dummy = cross_val_score(DummyClassifier(), X, y, scoring="accuracy", cv=5).mean()
    metrics = version["metrics"]
    assert metrics["test_accuracy"] > dummy + 0.1, (metrics, dummy)
    assert metrics["test_roc_auc"] > 0.9 and metrics["validation_log_loss"] >= 0
    # the registered file and preprocessing, applied here, give the same quality on all rows
    assert (predict_locally(app, scientist, model, version, frame) == y.to_numpy()).mean() > dummy + 0.1

    assert result_names(app, scientist, execution["id"]) == {"profile.json", "trials.json", "metrics.json"}
    trials = result_json(app, scientist, execution["id"], "trials.json")
    assert len(trials["trials"]) == 4 and trials["metric"] == "roc_auc"
    assert {t["family"] for t in trials["trials"]} == {"linear", "random_forest", "gradient_boosting", "mlp"}

    points = metric_points("model.metric", {"model_id": model["id"], "version": "1"})
    seen = {(p.labels["metric"], p.labels["split"]) for p in points}
    assert seen >= {("accuracy", "test"), ("roc_auc", "test"), ("roc_auc", "validation")}
    assert {p.labels["execution_id"] for p in points} == {execution["id"]}
    steps = metric_points(
        "job.step_duration_s", {"execution_id": execution["id"]}, group_by=("step", "kind", "deployment_id")
    )
    assert {p.labels["step"] for p in steps} == set(TRAINING_TASKS)
    assert {p.labels["deployment_id"] for p in steps} == {deployment["id"]}
    rows = metric_points("job.rows", {"execution_id": execution["id"], "step": "train"}, group_by=())
    assert rows and 300 < rows[0].value < len(frame)

    # every trial is a nested MLflow run under the execution's run
    import mlflow

    from tests.conftest import job_environment

    client = mlflow.MlflowClient(tracking_uri=job_environment()["MODELHUB_MLFLOW_TRACKING_URI"])
    experiment = client.get_experiment_by_name(f"modelhub/{model['name']}")
    runs = client.search_runs([experiment.experiment_id])
    (parent,) = [r for r in runs if r.info.run_name == f"execution-{execution['id']}"]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(children) == 4 and all("cv_roc_auc" in r.data.metrics for r in children)
    assert parent.data.metrics["test_accuracy"] == pytest.approx(metrics["test_accuracy"])


def test_regression_training_then_evaluation_and_its_promotion_gate(app, scientist):
    frame = diabetes()
    model = create_model(app, scientist, "regression")
    dataset = upload_dataset(app, scientist, "diabetes", csv_bytes(frame), "diabetes.csv")
    params = {"target": "progression", "task_type": "regression", "families": ["linear", "random_forest"], **FAST}
    training = deploy(app, scientist, model, dataset, "training", params)
    execution = finished(app, scientist, trigger(app, scientist, training)["id"])
    assert execution["status"] == "success", execution.get("message")
    (version,) = versions_of(app, scientist, model)
    X, y = frame.drop(columns=["progression"]), frame["progression"]
    dummy_rmse = -cross_val_score(DummyRegressor(), X, y, scoring="neg_root_mean_squared_error", cv=5).mean()
    assert version["metrics"]["test_rmse"] < dummy_rmse * 0.9, (version["metrics"], dummy_rmse)
    assert version["metrics"]["test_r2"] > 0.2

    # evaluation of the latest version, allowed to make it the first champion
    evaluation = deploy(app, scientist, model, dataset, "evaluation", {"promote_to": "champion"}, alias="latest")
    run = finished(app, scientist, trigger(app, scientist, evaluation)["id"])
    assert run["status"] == "success", run.get("message")
    assert ran_in_order(run) == ["evaluate", "promote"]
    assert "there is no champion yet" in run["message"]
    assert app.http.get(f"/api/models/{model['id']}/versions/champion", headers=scientist).json()["version"] == 1
    assert result_names(app, scientist, run["id"]) == {
        "metrics.json",
        "evaluation.json",
        "predicted_vs_actual.png",
        "promotion.json",
    }
    image = app.http.get(f"/api/executions/{run['id']}/results/predicted_vs_actual.png", headers=scientist)
    assert image.content.startswith(b"\x89PNG")
    points = metric_points("model.metric", {"model_id": model["id"], "execution_id": run["id"]})
    assert {(p.labels["metric"], p.labels["split"]) for p in points} == {(m, "test") for m in ("rmse", "mae", "r2")}
    evaluated = {p.labels["metric"]: p.value for p in points}
    assert evaluated["rmse"] < dummy_rmse

    # batch scoring of the champion applies its preprocessing: the predictions computed here
    scoring = deploy(app, scientist, model, dataset, "batch_scoring", {"id_column": None}, alias="champion")
    scored = finished(app, scientist, trigger(app, scientist, scoring)["id"])
    assert scored["status"] == "success", scored.get("message")
    download = app.http.get(f"/api/executions/{scored['id']}/results/predictions.csv", headers=scientist)
    predictions = pd.read_csv(io.BytesIO(download.content))
    expected = predict_locally(app, scientist, model, versions_of(app, scientist, model)[0], frame)
    assert list(predictions["row"]) == list(range(len(frame)))
    assert np.allclose(predictions["prediction"], expected, rtol=1e-6)
    # the same with Spark (spark_jobs/score.py), which `engine: auto` picks for large datasets
    spark_run = finished(app, scientist, trigger(app, scientist, scoring, {"engine": "spark"})["id"])
    assert spark_run["status"] == "success", spark_run.get("message")
    assert "scoring with Spark" in log_text(app, scientist, spark_run["id"], "batch_scoring")
    download = app.http.get(f"/api/executions/{spark_run['id']}/results/predictions.csv", headers=scientist)
    by_spark = pd.read_csv(io.BytesIO(download.content))
    assert np.allclose(by_spark["prediction"], expected, rtol=1e-6) and len(by_spark) == len(frame)
    counted = metric_points("prediction.count", {"model_id": model["id"], "source": "batch"}, group_by=("version",))
    assert [(p.labels["version"], p.value) for p in counted] == [("1", len(frame))] * 2

    # a worse version 2 (the dummy, on the raw columns) is evaluated against the champion and kept out
    upload = app.http.post(
        f"/api/models/{model['id']}/versions",
        files={"file": ("dummy.skops", skops_bytes(DummyRegressor().fit(X, y)), "application/octet-stream")},
        headers=scientist,
    )
    assert upload.status_code == 201, upload.text
    run = finished(app, scientist, trigger(app, scientist, evaluation, {"target": "progression"})["id"])
    assert run["status"] == "success", run.get("message")
    assert run["model_version"] == 2 and "version 2 is not promoted" in run["message"]
    assert app.http.get(f"/api/models/{model['id']}/versions/champion", headers=scientist).json()["version"] == 1
    decision = result_json(app, scientist, run["id"], "promotion.json")
    assert decision["promoted"] is False and "vs champion version 1" in decision["reason"]
    summary = result_json(app, scientist, run["id"], "metrics.json")
    assert summary["champion"]["version"] == 1
    assert summary["champion"]["metrics"]["rmse"] == pytest.approx(evaluated["rmse"])
    assert summary["metrics"]["rmse"] > summary["champion"]["metrics"]["rmse"]


def corrupt_parquet() -> bytes:
    """A Parquet file whose footer (all the upload checks) is intact but whose data pages are not."""
    buffer = io.BytesIO()
    pd.DataFrame({"x": np.arange(5000, dtype=np.float64), "y": np.arange(5000) % 2}).to_parquet(
        buffer, compression="snappy"
    )
    data = bytearray(buffer.getvalue())
    for offset in range(8, len(data) // 2, 7):
        data[offset] ^= 0x5A
    return bytes(data)


def test_bad_datasets_fail_the_run_clearly_and_register_nothing(app, scientist):
    # a 0-byte file never becomes a dataset
    empty = app.http.post(
        "/api/datasets", files={"file": ("empty.csv", b"", "text/csv")}, data={"name": "empty"}, headers=scientist
    )
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]

    typed = pd.DataFrame({"x": np.arange(40.0), "label": ["a", "b"] * 20})
    cases = {
        "header only": (b"x,label\n", "header.csv", {"target": "label", "task_type": "classification"}, None),
        "missing target": (csv_bytes(typed), "typed.csv", {"target": "label", "task_type": "classification"}, "nope"),
        "wrong type": (csv_bytes(typed), "typed.csv", {"target": "label", "task_type": "regression"}, None),
        "corrupt parquet": (corrupt_parquet(), "corrupt.parquet", {"target": "y", "task_type": "classification"}, None),
    }
    expected = {
        "header only": "the dataset has no rows",
        "missing target": "the target column 'nope' is not in the dataset",
        "wrong type": "regression needs a numeric target",
        "corrupt parquet": "the parquet file is corrupt",
    }
    started = {}
    for case, (data, filename, params, override) in cases.items():
        model = create_model(app, scientist, params["task_type"])
        dataset = upload_dataset(app, scientist, case, data, filename)
        deployment = deploy(app, scientist, model, dataset, "training", {**params, **FAST})
        overrides = {"target": override} if override else None
        started[case] = (model, trigger(app, scientist, deployment, overrides))
    for case, (model, execution) in started.items():
        done = finished(app, scientist, execution["id"])
        assert done["status"] == "failed", (case, done)
        message = done["message"] or ""
        assert message.startswith("preprocess: ") and expected[case] in message.lower(), (case, message)
        states = {t["task_id"]: t["state"] for t in done["tasks"]}
        assert states == {"preprocess": "failed", "train": "upstream_failed", "register": "upstream_failed"}
        log = log_text(app, scientist, execution["id"], "preprocess")
        assert f"ERROR: {message.removeprefix('preprocess: ')}" in log, (case, log[-2000:])
        assert versions_of(app, scientist, model) == [], case
        assert result_names(app, scientist, execution["id"]) == set()
