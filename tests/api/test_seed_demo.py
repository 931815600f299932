"""`modelhub seed-demo` on the embedded stores: 300+ models in six departments and 5+ countries, real
skops versions that load and predict, metrics, aliases and stages, datasets; a second run adds nothing."""

from __future__ import annotations

import io
import random

import pandas as pd
import pytest
import skops.io

from modelhub import cli
from modelhub.config import Settings
from modelhub.context import AppContext
from modelhub.demo import needs_seed
from modelhub.demo import seed as seed_module
from modelhub.demo.seed import seed_demo
from tests.conftest import unique_name

DEPARTMENTS = {"R&D", "Marketing", "Supply Chain", "Sales", "HR", "Finance"}
CLASSIFICATION = {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"}
REGRESSION = {"rmse", "mae", "r2"}


@pytest.fixture
def seeded(client, as_role, monkeypatch):
    """The catalog seeded once; D's metric history is recorded rather than written (it has its own tests)."""
    calls = []

    def record_history(store, models, months=4, now=None):
        calls.append((store, models, months))
        return 7

    monkeypatch.setattr(seed_module, "write_demo_history", record_history)
    context = client.app.state.context
    return seed_demo(context, history_months=4), calls


def get(client, as_role, path: str, **params):
    response = client.get(path, params=params, headers=as_role("viewer"))
    assert response.status_code == 200, response.text
    return response.json()


def test_seed_demo_builds_a_living_catalog_and_a_second_run_adds_nothing(client, as_role, seeded, capsys):
    result, history_calls = seeded
    assert result.models_added >= 300 and result.versions_added > result.models_added and result.datasets_added >= 30

    facets = get(client, as_role, "/api/models/facets")
    assert facets["total"] == result.models_added
    departments = {f["value"]: f["count"] for f in facets["facets"]["department"]}
    assert set(departments) == DEPARTMENTS and sum(departments.values()) == facets["total"]
    geographies = {f["value"]: f["count"] for f in facets["facets"]["geography"]}
    assert len(geographies) >= 5 and sum(geographies.values()) == facets["total"]
    assert {f["value"] for f in facets["facets"]["framework"]} == {"sklearn"}
    assert {f["value"] for f in facets["facets"]["task_type"]} == {"classification", "regression"}
    # the facets agree with the filtered lists
    for department in ("HR", "R&D"):
        page = get(client, as_role, "/api/models", department=department, limit=1)
        assert page["total"] == departments[department]
    country = next(iter(geographies))
    assert get(client, as_role, "/api/models", geography=country, limit=1)["total"] == geographies[country]

    # metric history was asked for every added model, with the agreed fields
    ((_, models, months),) = history_calls
    assert months == 4 and len(models) == result.models_added and result.history_points == 7
    assert set(models[0]) == {"id", "name", "department", "geography", "task_type", "versions"}

    # a random sample of models: documented, schemas, aliases, stages, and versions that load and predict
    names = [m["name"] for m in models]
    datasets: dict[str, pd.DataFrame] = {}
    for name in random.Random(7).sample(names, 10):
        model = get(client, as_role, f"/api/models/{name}")
        assert model["owner"] and model["description"] and model["documentation"].startswith("# ")
        assert model["input_schema"]["properties"] and model["output_schema"]["type"] in ("integer", "number")
        assert "champion" in model["aliases"] and "demo" in model["tags"]
        versions = get(client, as_role, f"/api/models/{name}/versions")["items"]
        assert len(versions) == model["latest_version"] and 1 <= len(versions) <= 3
        stages = {v["version"]: v["stage"] for v in versions}
        # the champion is in production (a lone first version may still be in staging); one production at most
        champion = stages[model["aliases"]["champion"]]
        assert champion == "production" or (len(versions) == 1 and champion == "staging")
        assert list(stages.values()).count("production") <= 1
        assert all(stage == "archived" for number, stage in stages.items() if number < model["aliases"]["champion"])
        if "challenger" in model["aliases"]:
            assert stages[model["aliases"]["challenger"]] == "staging"
        for version in versions:
            expected = REGRESSION if model["task_type"] == "regression" else CLASSIFICATION
            assert set(version["metrics"]) <= expected and len(version["metrics"]) >= 3
            assert version["format"] == "skops" and version["lineage"]["dataset_id"]
            assert version["reference_stats"] is None  # lists leave the bulky statistics out
            detail = get(client, as_role, f"/api/models/{name}/versions/{version['version']}")
            assert set(detail["reference_stats"]["columns"]) == set(model["input_schema"]["properties"])
            dataset_id = version["lineage"]["dataset_id"]
            if dataset_id not in datasets:
                raw = client.get(f"/api/datasets/{dataset_id}/download", headers=as_role("viewer")).content
                dataset = get(client, as_role, f"/api/datasets/{dataset_id}")
                datasets[dataset_id] = (
                    pd.read_parquet(io.BytesIO(raw))
                    if dataset["format"] == "parquet"
                    else (pd.read_csv(io.BytesIO(raw)))
                )
            data = client.get(version["artifact_path"], headers=as_role("viewer")).content
            estimator = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
            features = list(model["input_schema"]["properties"])
            frame = datasets[dataset_id][features].head(25)
            predicted = estimator.predict(frame)
            assert len(predicted) == 25
            if model["task_type"] == "classification":
                assert set(int(p) for p in predicted) <= set(model["output_schema"]["enum"])

    listed = get(client, as_role, "/api/datasets", limit=200)
    assert listed["total"] == result.datasets_added
    assert {d["format"] for d in listed["items"]} == {"csv", "parquet"}

    # idempotent: nothing added the second time, and it says so; --if-empty does not even look further
    objects = client.app.state.context.objects
    before = sorted(p for p in objects.root.rglob("*") if p.is_file())
    again = seed_demo(client.app.state.context)
    assert (again.models_added, again.versions_added, again.datasets_added) == (0, 0, 0)
    assert again.models_present == result.models_added and "nothing added" in again.summary()
    assert sorted(p for p in objects.root.rglob("*") if p.is_file()) == before
    assert get(client, as_role, "/api/models/facets")["total"] == result.models_added
    assert len(history_calls) == 1


def test_seed_demo_command(settings, monkeypatch, capsys):
    """The CLI: `--if-empty` on a catalog with models does nothing and says so."""
    monkeypatch.setenv("MODELHUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MODELHUB_DAGS_DIR", str(settings.dags_dir))
    context = AppContext.from_settings(Settings(_env_file=None))
    try:
        from modelhub.auth.tokens import Principal
        from modelhub.models.schemas import ModelCreate
        from modelhub.models.service import ModelsService

        actor = Principal(subject="t", username="t", roles=frozenset({"admin"}))
        service = ModelsService(context.models, context.versions, context.objects, context.metadata, context.audit)
        service.create(actor, ModelCreate(name="already-here"))
    finally:
        context.close()
    assert cli.main(["seed-demo", "--if-empty"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_a_seed_stopped_midway_is_resumed_by_if_empty(client, monkeypatch):
    """`make run` seeds beside the running API, so Ctrl-C may stop it midway: the catalog then has
    models, yet `--if-empty` must still finish it (and, once finished, leave it alone)."""
    context = client.app.state.context
    assert needs_seed(context)  # empty
    real_add_versions = seed_module.Seeder.add_versions
    calls = []

    def stop_after_first(self, *args):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real_add_versions(self, *args)

    monkeypatch.setattr(seed_module.Seeder, "add_versions", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        seed_demo(context, history_months=0, limit=3)
    assert context.metadata.count("models") == 2  # the first with its versions, the second without
    assert needs_seed(context), "a catalog left half-built by a stopped seed must be resumed"

    monkeypatch.setattr(seed_module.Seeder, "add_versions", real_add_versions)
    resumed = seed_demo(context, history_months=0, limit=3)
    assert (resumed.models_present, resumed.models_added) == (1, 1)  # the stopped one got its versions
    assert all(m.get("latest_version") for m in context.metadata.find("models", {}, limit=10).items)
    assert not needs_seed(context)


def test_seed_demo_writes_through_the_services_on_mongodb_and_s3(ferretdb, minio, tmp_path):
    """The same seeder on the server backends (the first dozen models of the plan, to stay quick)."""
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        metadata_uri=ferretdb.uri.rstrip("/") + "/" + unique_name("seed_"),
        objects_uri=f"s3://{unique_name('seed-')}/objects",
        s3_endpoint=minio.endpoint,
        s3_access_key=minio.access_key,
        s3_secret_key=minio.secret_key,
    )
    context = AppContext.from_settings(settings)
    try:
        first = seed_demo(context, history_months=0, limit=12)
        assert first.models_added == 12 and first.datasets_added == 2 and first.versions_added >= 12
        model = context.models.find_ref(seed_module.plan()[11].name)
        version = context.versions.find(model["_id"], model["aliases"]["champion"])
        data = b"".join(context.objects.get(version["object_key"]))
        estimator = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
        features = list(model["input_schema"]["properties"])
        assert len(estimator.predict(pd.DataFrame([dict.fromkeys(features, 1.0)]))) == 1
        again = seed_demo(context, history_months=0, limit=12)
        assert (again.models_added, again.versions_added, again.models_present) == (0, 0, 12)
    finally:
        if hasattr(context.metadata, "drop_database"):
            context.metadata.drop_database()
        context.close()
