"""Online predictions: the API answers what the model file answers locally, in every body format
MLflow clients send; bad inputs get a 4xx naming record and field; a broken version is 503 for
its model only; alias moves apply at once; every request lands in the prediction log, also the
ones still queued at shutdown."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from modelhub.app import create_app
from modelhub.config import Settings
from tests.api.conftest import ROLE_USERS, error_field, login
from tests.api.test_models import new_model
from tests.conftest import unique_name

FEATURES = ["income", "age", "debt", "tenure"]
INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "income": {"type": "number"},
        "age": {"type": "integer", "minimum": 0},
        "debt": {"type": "number"},
        "tenure": {"type": "number"},
    },
    "required": FEATURES,
}


def training_frame(seed: int = 0, rows: int = 300) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.normal(50_000, 12_000, rows),
            "age": rng.integers(18, 80, rows),
            "debt": rng.normal(10_000, 4_000, rows),
            "tenure": rng.uniform(0, 20, rows),
        }
    )
    labels = (frame["income"] / 1000 - frame["debt"] / 500 + rng.normal(0, 5, rows) > 28).astype(int).to_numpy()
    target = (frame["income"] * 0.01 - frame["debt"] * 0.02 + frame["age"]).to_numpy()
    return frame, labels, target


def model_bytes(kind: str, fmt: str = "skops", seed: int = 0):
    """A small fitted scikit-learn model (with feature names) and its file bytes."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    frame, labels, target = training_frame(seed)
    if kind == "classifier":
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, labels)
    elif kind == "tree":
        model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(frame, target)
    else:
        model = Ridge(alpha=1.0).fit(frame, target)
    if fmt == "skops":
        import skops.io

        return model, skops.io.dumps(model), "model.skops"
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return model, buffer.getvalue(), "model.joblib"


def register(registry, kind: str = "classifier", fmt: str = "skops", schema=INPUT_SCHEMA, champion=True, seed=0):
    model_doc = new_model(
        registry,
        task_type="classification" if kind == "classifier" else "regression",
        department="Finance",
        **({"input_schema": schema} if schema else {}),
    )
    fitted, data, filename = model_bytes(kind, fmt, seed)
    version = upload_file(registry, model_doc["id"], filename, data)
    if champion:
        set_alias(registry, model_doc["id"], "champion", version["version"])
    return model_doc, fitted, version


def upload_file(registry, model_id: str, filename: str, data: bytes, **fields) -> dict:
    response = registry.client.post(
        f"/api/models/{model_id}/versions",
        files={"file": (filename, data, "application/octet-stream")},
        data={k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in fields.items()},
        headers=registry.as_role("data_scientist"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def set_alias(registry, model_id: str, alias: str, version: int) -> None:
    response = registry.client.put(
        f"/api/models/{model_id}/aliases/{alias}", json={"version": version}, headers=registry.as_role("data_scientist")
    )
    assert response.status_code == 200, response.text


def predict(registry, model_ref: str, body, role: str = "business_user", **params):
    return registry.client.post(
        f"/api/models/{model_ref}/predict", json=body, params=params, headers=registry.as_role(role)
    )


def sample_records(rows: int = 25, seed: int = 7) -> list[dict]:
    frame, _, _ = training_frame(seed, rows)
    return [
        {"income": float(r.income), "age": int(r.age), "debt": float(r.debt), "tenure": float(r.tenure)}
        for r in frame.itertuples()
    ]


@pytest.mark.parametrize(("kind", "fmt"), [("classifier", "skops"), ("regressor", "joblib"), ("tree", "skops")])
def test_predictions_equal_the_model_file_loaded_locally(registry, kind, fmt):
    model_doc, fitted, version = register(registry, kind, fmt)
    records = sample_records()
    response = predict(registry, model_doc["name"], {"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = fitted.predict(pd.DataFrame.from_records(records, columns=FEATURES))
    assert body["model_version"] == version["version"] and body["model_id"] == model_doc["id"]
    assert np.allclose(body["predictions"], expected, rtol=1e-9, atol=1e-9)
    if kind == "classifier":
        with_proba = predict(registry, model_doc["id"], {"records": records[:3]}, probabilities="true").json()
        assert with_proba["classes"] == [0, 1]
        assert np.allclose(with_proba["probabilities"], fitted.predict_proba(pd.DataFrame(records[:3])[FEATURES]))


def test_a_flat_numeric_schema_takes_the_fast_path_with_the_same_answers(registry):
    # every property only a number, all required, extras refused (what MLflow signatures give)
    flat = {
        "type": "object",
        "properties": {name: {"type": "number"} for name in FEATURES},
        "required": FEATURES,
        "additionalProperties": False,
    }
    model_doc, fitted, _ = register(registry, "classifier", schema=flat)
    records = sample_records(30)
    response = predict(registry, model_doc["id"], {"records": records})
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == fitted.predict(pd.DataFrame(records)[FEATURES]).tolist()
    response = predict(registry, model_doc["id"], {"records": [*records[:2], {**records[2], "debt": True}]})
    assert response.status_code == 422 and error_field(response) == "records[2].debt"


def test_mlflow_scoring_bodies_give_the_same_predictions(registry):
    model_doc, fitted, _ = register(registry, "classifier")
    records = sample_records(5)
    expected = fitted.predict(pd.DataFrame.from_records(records, columns=FEATURES)).tolist()
    columns = ["tenure", "debt", "age", "income"]  # any column order
    bodies = {
        "dataframe_records": {"dataframe_records": records},
        "dataframe_split": {
            "dataframe_split": {"columns": columns, "data": [[r[c] for c in columns] for r in records]}
        },
        "instances (objects)": {"instances": records},
        "instances (lists, schema order)": {"instances": [[r[c] for c in FEATURES] for r in records]},
        "inputs + params": {"inputs": records, "params": {"ignored": True}},
    }
    for label, body in bodies.items():
        response = predict(registry, model_doc["id"], body)
        assert response.status_code == 200, f"{label}: {response.text}"
        assert response.json()["predictions"] == expected, label


@pytest.mark.parametrize(
    ("body", "status", "field", "says"),
    [
        ({"records": [{"income": 1.0, "age": 30, "debt": 2.0}]}, 422, "records[0].tenure", "missing"),
        (
            {
                "records": [
                    {"income": 1.0, "age": 30, "debt": 2.0, "tenure": 1},
                    {"income": "lots", "age": 3, "debt": 1.0, "tenure": 1},
                ]
            },
            422,
            "records[1].income",
            "must be number, got a string",
        ),
        ({"records": [{"income": 1.0, "age": 30.5, "debt": 2.0, "tenure": 1}]}, 422, "records[0].age", "integer"),
        ({"records": [{"income": 1.0, "age": -1, "debt": 2.0, "tenure": 1}]}, 422, "records[0].age", "at least 0"),
        (
            {"dataframe_records": [{"income": 1.0, "age": 3, "debt": 2.0, "tenure": 1, "colour": "red"}]},
            422,
            "dataframe_records[0].colour",
            "is not an input of this model",
        ),
        ({"records": []}, 422, "records", "is empty"),
        ({"records": [{"income": 1.0}] * 11}, 413, "records", "at most 10"),
        ({"rows": [{"income": 1.0}]}, 422, "rows", "unknown field"),
        ({"records": [{}], "instances": [{}]}, 422, "records", "exactly one"),
        ({"dataframe_split": {"columns": ["income"], "data": [[1, 2]]}}, 422, "dataframe_split.data[0]", "1 values"),
        ({"records": [[1, 2, 3, 4]]}, 422, "records[0]", "must be an object"),
    ],
)
def test_bad_inputs_get_a_clear_4xx_naming_the_field(serving_client, body, status, field, says):
    response = serving_client.predict(body)
    assert response.status_code == status, response.text
    assert error_field(response) == field
    assert says in response.json()["error"]["message"]


def test_extra_fields_are_dropped_under_the_ignore_policy(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", serving_extra_fields="ignore")
    with ServingClient(settings) as served:
        record = {**sample_records(1)[0], "customer_id": "c-42"}
        response = served.predict({"records": [record]})
        assert response.status_code == 200, response.text
        assert response.json()["predictions"] == served.fitted.predict(pd.DataFrame([record])[FEATURES]).tolist()


def test_not_json_and_too_large_bodies(serving_client):
    headers = {**serving_client.headers, "Content-Type": "application/json"}
    url = f"/api/models/{serving_client.model['id']}/predict"
    response = serving_client.client.post(url, content=b"{not json", headers=headers)
    assert response.status_code == 400 and error_field(response) == "body"
    response = serving_client.client.post(url, content=b" " * 5000 + b"{}", headers=headers)
    assert response.status_code == 413 and error_field(response) == "body"


@pytest.mark.parametrize(
    "raw",
    [b'{"records": [{"income": NaN, "age": 3, "debt": 1.0, "tenure": 1}]}', b'{"records": "\xff"}', b""],
    ids=["NaN literal", "not UTF-8", "empty"],
)
def test_bodies_that_are_not_json_are_400_from_the_worker(serving_client, raw):
    headers = {**serving_client.headers, "Content-Type": "application/json"}
    response = serving_client.client.post(
        f"/api/models/{serving_client.model['id']}/predict", content=raw, headers=headers
    )
    assert response.status_code == 400 and error_field(response) == "body", response.text


def test_options_in_the_body_apply_as_in_the_query(serving_client):
    # the worker reads the body: when it holds options, the API reads them too and asks again
    headers = {**serving_client.headers, "Content-Type": "application/json"}
    url = f"/api/models/{serving_client.model['id']}/predict"
    records = json.dumps(sample_records(2)).encode()

    def post(options: bytes, query: str = "", model_url: str = url):
        body = b'{"records": ' + records + b", " + options + b"}"
        return serving_client.client.post(model_url + query, content=body, headers=headers)

    for options in (b'"version": 1', b'"\\u0076ersion": 1'):  # JSON may spell a key with escapes
        response = post(options + b', "probabilities": true')
        assert response.status_code == 200 and response.json()["model_version"] == 1, response.text
        assert len(response.json()["probabilities"]) == 2
        assert post(options.replace(b"1", b"7")).status_code == 404
        response = post(options + b', "\\u0061lias": "champion"')
        assert response.status_code == 422 and error_field(response) == "alias"
        response = post(options, query="?alias=nope")  # the query's alias fails first, the body adds a version
        assert response.status_code == 422 and error_field(response) == "alias"
    response = post(b'"\\u0070robabilities": true')
    assert response.status_code == 200 and len(response.json()["probabilities"]) == 2
    response = post(b'"alias": "latest"', query="?alias=nope")
    assert response.status_code == 404 and "nope" in response.json()["error"]["message"]  # the query wins
    # a body that is not JSON is 400 before the model is looked up, as when the API parsed every body
    response = serving_client.client.post("/api/models/no-such-model/predict", content=b"{no", headers=headers)
    assert response.status_code == 400 and error_field(response) == "body"


def test_who_may_predict_and_which_version_answers(registry):
    model_doc, _, first = register(registry, "regressor", "skops", champion=False)
    records = sample_records(2)
    assert predict(registry, model_doc["id"], {"records": records}, role="viewer").status_code == 403
    response = predict(registry, model_doc["id"], {"records": records})
    assert response.status_code == 409 and error_field(response) == "alias"
    assert "champion" in response.json()["error"]["message"] and "version" in response.json()["error"]["message"]
    assert predict(registry, model_doc["id"], {"records": records}, alias="nope").status_code == 404
    assert predict(registry, model_doc["id"], {"records": records}, version=99).status_code == 404
    assert predict(registry, model_doc["id"], {"records": records}, version=1).json()["model_version"] == 1
    assert predict(registry, model_doc["id"], {"records": records, "alias": "latest"}).json()["model_version"] == 1

    _, data, filename = model_bytes("regressor", "skops", seed=1)
    second = upload_file(registry, model_doc["id"], filename, data)
    set_alias(registry, model_doc["id"], "champion", first["version"])
    before = predict(registry, model_doc["id"], {"records": records}, role="data_scientist").json()
    assert before["model_version"] == first["version"]
    set_alias(registry, model_doc["id"], "champion", second["version"])  # no restart: the next request sees it
    after = predict(registry, model_doc["id"], {"records": records}, role="admin").json()
    assert after["model_version"] == second["version"] and after["predictions"] != before["predictions"]


def test_a_version_that_cannot_load_is_503_for_its_model_only(registry):
    healthy, fitted, _ = register(registry, "classifier")
    broken = new_model(registry, department="Finance")
    # a pickle header then garbage: detected as pickle at upload, fails to load in the worker
    version = upload_file(registry, broken["id"], "broken.pkl", b"\x80\x04\x95garbage that is not a pickle")
    set_alias(registry, broken["id"], "champion", version["version"])
    records = sample_records(3)
    for _ in range(2):  # the failure is remembered a moment, and answered the same way
        response = predict(registry, broken["id"], {"records": records})
        assert response.status_code == 503, response.text
        body = response.json()["error"]
        assert body["code"] == "model_unavailable" and body["details"]["version"] == version["version"]
    response = predict(registry, healthy["id"], {"records": records})
    assert response.status_code == 200
    assert response.json()["predictions"] == fitted.predict(pd.DataFrame(records)[FEATURES]).tolist()
    other_format = new_model(registry)
    onnx = upload_file(registry, other_format["id"], "m.bin", b"x" * 10, format="other")
    response = predict(registry, other_format["id"], {"records": records}, version=onnx["version"])
    assert response.status_code == 409 and error_field(response) == "version"


class _ExitOnLoad:
    """Unpickling it ends the process: what a model file that crashes its loader does."""

    def __reduce__(self):
        import os

        return (os._exit, (17,))


def test_a_worker_that_dies_is_replaced_and_only_its_request_fails(registry):
    import pickle

    healthy, fitted, _ = register(registry, "classifier")
    crashing = new_model(registry, department="Finance")
    version = upload_file(registry, crashing["id"], "crash.pkl", pickle.dumps(_ExitOnLoad()))
    set_alias(registry, crashing["id"], "champion", version["version"])
    records = sample_records(3)

    def stats():
        return registry.client.get("/api/serving/stats", headers=registry.as_role("viewer")).json()

    restarts = stats()["worker_restarts"]

    response = predict(registry, crashing["id"], {"records": records})
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "model_unavailable" and "worker process stopped" in error["details"]["reason"]
    after = stats()
    assert after["worker_restarts"] == restarts + 1
    assert all(worker["alive"] for worker in after["workers"])
    for _ in range(len(after["workers"]) + 1):  # every worker, the fresh one included, answers
        response = predict(registry, healthy["id"], {"records": records})
        assert response.status_code == 200, response.text
        assert response.json()["predictions"] == fitted.predict(pd.DataFrame(records)[FEATURES]).tolist()


def test_concurrent_requests_each_get_their_own_answer(registry):
    """More requests at once than workers: they wait their turn and no answer goes to another request."""
    from concurrent.futures import ThreadPoolExecutor

    model_doc, fitted, _ = register(registry, "regressor", fmt="joblib")
    batches = [sample_records(1 + i % 5, seed=100 + i) for i in range(24)]

    def ask(records):
        response = predict(registry, model_doc["id"], {"records": records})
        assert response.status_code == 200, response.text
        return response.json()["predictions"]

    with ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(ask, batches))
    for records, answer in zip(batches, answers, strict=True):
        assert answer == pytest.approx(fitted.predict(pd.DataFrame(records)[FEATURES]).tolist())


def test_a_version_with_a_fitted_preprocessing_gets_raw_records(registry):
    from sklearn.linear_model import LogisticRegression

    from modelhub.pipelines.preprocessing import CategoricalColumn, FittedPreprocessing, NumericColumn

    fitted = FittedPreprocessing(
        target="default",
        task_type="classification",
        numeric=[NumericColumn("income", 50_000.0, 50_000.0, 12_000.0)],
        categorical=[CategoricalColumn("city", "Lyon", "onehot", ["Lyon", "Paris"], ["city_Lyon", "city_Paris"])],
        order=[("numeric", "income"), ("categorical", "city")],
    )
    rng = np.random.default_rng(3)
    raw = pd.DataFrame({"income": rng.normal(50_000, 12_000, 200), "city": rng.choice(["Lyon", "Paris", "Nice"], 200)})
    labels = ((raw["income"] > 52_000) | (raw["city"] == "Paris")).astype(int)
    model = LogisticRegression().fit(fitted.apply(raw), labels)
    import skops.io

    model_doc = new_model(registry, department="Finance")
    version = upload_file(
        registry, model_doc["id"], "model.skops", skops.io.dumps(model), preprocessing=fitted.to_dict()
    )
    records = [
        {"income": 61_000.5, "city": "Nice"},
        {"income": 20_000.0, "city": "Paris"},
        {"income": None, "city": None},
    ]
    response = predict(registry, model_doc["id"], {"records": records}, version=version["version"])
    assert response.status_code == 200, response.text
    expected = model.predict(fitted.apply(pd.DataFrame.from_records(records))).tolist()
    assert response.json()["predictions"] == expected
    response = predict(registry, model_doc["id"], {"records": [{"income": 1.0}]}, version=version["version"])
    assert response.status_code == 422 and error_field(response) == "records[0].city"


def test_without_an_input_schema_the_model_names_the_missing_feature(registry):
    model_doc, fitted, _ = register(registry, "classifier", schema=None)
    records = sample_records(2)
    ok = predict(registry, model_doc["id"], {"records": records})
    assert ok.status_code == 200 and ok.json()["predictions"] == fitted.predict(pd.DataFrame(records)).tolist()
    response = predict(registry, model_doc["id"], {"records": [{"income": 1.0, "age": 3, "tenure": 2.0}]})
    assert response.status_code == 422 and error_field(response) == "records[0].debt"


# -- the prediction log -------------------------------------------------------------------------
class ServingClient:
    """An app of its own (so the test controls its shutdown) with one served classifier."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.test_client = TestClient(create_app(settings))

    def __enter__(self):
        self.client = self.test_client.__enter__()
        tokens = {role: login(self.client, *creds) for role, creds in ROLE_USERS.items()}
        self.headers = {"Authorization": f"Bearer {tokens['business_user']}"}
        scientist = {"Authorization": f"Bearer {tokens['data_scientist']}"}
        self.fitted, data, filename = model_bytes("classifier")
        body = {"name": unique_name("served-"), "framework": "sklearn", "department": "Risk"}
        self.model = self.client.post(
            "/api/models", json={**body, "input_schema": INPUT_SCHEMA}, headers=scientist
        ).json()
        version = self.client.post(
            f"/api/models/{self.model['id']}/versions",
            files={"file": (filename, data, "application/octet-stream")},
            headers=scientist,
        ).json()
        self.client.put(
            f"/api/models/{self.model['id']}/aliases/champion", json={"version": version["version"]}, headers=scientist
        )
        return self

    def predict(self, body):
        return self.client.post(f"/api/models/{self.model['id']}/predict", json=body, headers=self.headers)

    def __exit__(self, *exc):
        self.test_client.__exit__(*exc)


@pytest.fixture
def serving_client(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", serving_max_records=10, serving_max_body_bytes=4096)
    with ServingClient(settings) as served:
        yield served


@pytest.fixture(params=["sqlite", "postgresql"])
def metrics_uri(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'metrics.db'}"
    postgres = request.getfixturevalue("postgres")
    return postgres.dsn_for(postgres.create_database(unique_name("serving_")))


def test_every_prediction_is_logged_and_nothing_is_lost_at_shutdown(tmp_path, metrics_uri):
    # a long flush interval: the requests are still queued when the app shuts down
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        metrics_uri=metrics_uri,
        serving_log_interval_s=60,
        serving_log_sample_records=2,
    )
    sent = []
    with ServingClient(settings) as served:
        for i in range(30):
            records = sample_records(1 + i % 3, seed=i)
            response = served.predict({"records": records})
            assert response.status_code == 200, response.text
            sent.append((records, response.json()["predictions"]))
        model_id = served.model["id"]
    engine = sa.create_engine(metrics_uri.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM prediction_log WHERE model_id = :m"), {"m": model_id}).all()
        counts = (
            conn.execute(sa.text("SELECT value FROM metric_points WHERE series = 'prediction.count'")).scalars().all()
        )
    engine.dispose()
    assert len(rows) == 30
    assert sum(counts) == sum(len(records) for records, _ in sent)
    row = next(r for r in rows if r.n_records == 3)
    # JSONB on PostgreSQL comes back as values (a string here would mean JSON text stored as a string)
    inputs = row.inputs if metrics_uri.startswith("postgresql") else json.loads(row.inputs)
    assert len(inputs) == 2 and row.caller == "business" and row.version == 1 and len(row.inputs_hash) == 64
    assert any(inputs == records[:2] for records, _ in sent)


def test_the_prediction_log_is_readable_through_the_api(serving_client):
    for i in range(3):
        assert serving_client.predict({"records": sample_records(2, seed=i)}).status_code == 200
    serving_client.client.app.state.serving.log.close()  # write the queue now
    url = f"/api/models/{serving_client.model['name']}/predictions"
    page = serving_client.client.get(url, headers=serving_client.headers).json()
    assert len(page["items"]) == 3 and page["items"][0]["caller"] == "business"
    assert all(len(item["inputs"]) == 2 and len(item["outputs"]) == 2 for item in page["items"])
    stats = serving_client.client.get("/api/serving/stats", headers=serving_client.headers).json()
    assert stats["prediction_log"]["written"] == 3 and stats["prediction_log"]["dropped"] == 0


def test_a_full_log_queue_drops_and_counts_without_blocking(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", serving_log_queue=1, serving_log_interval_s=60)
    with ServingClient(settings) as served:
        served.client.app.state.serving.log.start = lambda: None  # nobody drains: the queue stays full
        served.client.app.state.serving.log._thread = object()
        for _ in range(4):
            assert served.predict({"records": sample_records(1)}).status_code == 200
        stats = served.client.get("/api/serving/stats", headers=served.headers).json()["prediction_log"]
        assert stats["dropped"] >= 3 and stats["queued"] == 1
        served.client.app.state.serving.log._thread = None


# -- drift reports (the monitoring job's side; the job itself: tests/integration/test_monitoring.py)
def test_reference_stats_on_versions_and_drift_reports(serving_client):
    from modelhub.drift.reference import compute_reference
    from modelhub.drift.statistics import compare
    from modelhub.jobs.api import service_secret

    client, settings = serving_client.client, serving_client.settings
    scientist = {"Authorization": f"Bearer {login(client, 'datascientist', 'password123')}"}
    model_id = serving_client.model["id"]
    frame, _, _ = training_frame(1)
    reference = compute_reference(frame)
    _, data, filename = model_bytes("classifier")
    version = client.post(
        f"/api/models/{model_id}/versions",
        files={"file": (filename, data, "application/octet-stream")},
        data={"reference_stats": json.dumps(reference)},
        headers=scientist,
    )
    assert version.status_code == 201, version.text
    assert version.json()["reference_stats"] == reference
    bad = client.post(
        f"/api/models/{model_id}/versions",
        files={"file": (filename, data, "application/octet-stream")},
        data={"reference_stats": "[1, 2]"},
        headers=scientist,
    )
    assert bad.status_code == 422 and error_field(bad) == "reference_stats"

    assert client.get(f"/api/models/{model_id}/drift", headers=serving_client.headers).json()["status"] == "unknown"
    shifted = frame.assign(income=frame["income"] * 1.5)
    result = compare(reference, shifted)
    report = {"version": 2, "samples": len(shifted), "features": result["features"]}
    report["drifted_features"] = result["drifted_features"]
    refused = client.post(f"/api/models/{model_id}/drift", json=report, headers=scientist)
    assert refused.status_code == 403  # people do not write drift reports; the monitoring job does
    form = {"grant_type": "client_credentials", "client_id": settings.service_client_id}
    token = client.post("/api/auth/token", data={**form, "client_secret": service_secret(settings)}).json()
    service = {"Authorization": f"Bearer {token['access_token']}"}
    stored = client.post(f"/api/models/{model_id}/drift", json=report, headers=service)
    assert stored.status_code == 201, stored.text
    assert stored.json()["status"] == "drifted" and stored.json()["drifted_features"] == ["income"]
    shown = client.get(f"/api/models/{model_id}/drift", headers={"Authorization": scientist["Authorization"]}).json()
    assert shown["status"] == "drifted" and shown["latest"]["features"]["income"]["tests"]["ks"]["drifted"]
    model = client.app.state.context.models.get(model_id)
    assert model["drift"]["status"] == "drifted" and model["drift"]["drifted_features"] == ["income"]
    points = client.app.state.context.metrics.query(
        "drift.statistic",
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
        labels={"model_id": model_id, "drifted": "true"},
        group_by=["feature", "test"],
    )
    labels = {(p.labels.get("feature"), p.labels.get("test")) for p in points}
    assert labels == {("income", "ks"), ("income", "psi")}
    missing = client.post(f"/api/models/{model_id}/drift", json={**report, "version": 99}, headers=service)
    assert missing.status_code == 404 and error_field(missing) == "version"

    # deleting the model takes its drift reports with it
    from modelhub.drift.repository import DriftRepository

    metadata = client.app.state.context.metadata
    assert DriftRepository(metadata).latest(model_id, 10)
    admin = {"Authorization": f"Bearer {login(client, 'admin', 'admin123')}"}
    current = client.get(f"/api/models/{model_id}", headers=admin)
    deleted = client.delete(f"/api/models/{model_id}", headers={**admin, "If-Match": current.headers["ETag"]})
    assert deleted.status_code == 204, deleted.text
    assert DriftRepository(metadata).latest(model_id, 10) == []
