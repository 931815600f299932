"""The model catalog on both metadata backends (and both object backends): CRUD, search, facets."""

from __future__ import annotations

import uuid

import pytest

from modelhub.models.repository import COLLECTION, FACET_FIELDS, INDEXES, SORTS
from tests.api.conftest import error_field

IRIS_SCHEMA = {"type": "object", "properties": {"sepal_length": {"type": "number"}}, "required": ["sepal_length"]}


def new_model(registry, role: str = "data_scientist", **fields) -> dict:
    body = {"name": f"model-{uuid.uuid4().hex[:8]}", "framework": "sklearn", "task_type": "classification", **fields}
    response = registry.client.post("/api/models", json=body, headers=registry.as_role(role))
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_get_by_id_or_name(registry):
    model = new_model(
        registry,
        description="Predicts churn",
        department="Marketing",
        geography="EMEA",
        tags=["Churn", "churn", "weekly"],
        input_schema=IRIS_SCHEMA,
        output_schema={"type": "integer"},
        documentation="# Churn\nA *model*.",
    )
    assert model["owner"] == "datascientist" and model["created_by"] == "datascientist"
    assert model["tags"] == ["churn", "weekly"] and model["aliases"] == {} and model["latest_version"] is None
    assert model["version"] == 1 and model["created_at"] == model["updated_at"]
    by_id = registry.client.get(f"/api/models/{model['id']}", headers=registry.as_role("viewer"))
    assert by_id.status_code == 200 and by_id.json() == model and by_id.headers["etag"] == '"1"'
    by_name = registry.client.get(f"/api/models/{model['name'].upper()}", headers=registry.as_role("viewer"))
    assert by_name.status_code == 200 and by_name.json()["id"] == model["id"]
    missing = registry.client.get("/api/models/nope-nope", headers=registry.as_role("viewer"))
    assert missing.status_code == 404 and error_field(missing) == "model_id"
    audit = registry.client.get(f"/api/audit?entity_id={model['id']}", headers=registry.as_role("admin")).json()
    assert [e["action"] for e in audit["items"]] == ["model.create"] and audit["items"][0]["after"]["name"]


def test_name_is_unique_whatever_its_case(registry):
    model = new_model(registry)
    response = registry.client.post(
        "/api/models", json={"name": model["name"].upper()}, headers=registry.as_role("admin")
    )
    assert response.status_code == 409 and error_field(response) == "name"
    assert response.json()["error"]["code"] == "duplicate"


BAD_MODELS = {
    "missing name": ({}, "name"),
    "name too short": ({"name": "x"}, "name"),
    "name too long": ({"name": "m" * 101}, "name"),
    "name with a slash": ({"name": "a/b"}, "name"),
    "name with a trailing space": ({"name": "abc "}, "name"),
    "name like an id": ({"name": uuid.uuid4().hex}, "name"),
    "unknown framework": ({"framework": "caffe"}, "framework"),
    "unknown task type": ({"task_type": "magic"}, "task_type"),
    "invalid input schema": ({"input_schema": {"type": "no-such-type"}}, "input_schema"),
    "invalid output schema": ({"output_schema": {"properties": 3}}, "output_schema"),
    "bad tag": ({"tags": ["Not/OK"]}, "tags.0"),
    "too many tags": ({"tags": [f"t{i}" for i in range(31)]}, "tags"),
    "description too long": ({"description": "d" * 5001}, "description"),
    "empty department": ({"department": "  "}, "department"),
    "bad owner": ({"owner": "no spaces allowed"}, "owner"),
    "unknown field": ({"colour": "red"}, "colour"),
}


@pytest.mark.parametrize("case", list(BAD_MODELS))
def test_bad_model_input_names_the_field(registry, case):
    fields, field = BAD_MODELS[case]
    body = {"name": f"bad-{uuid.uuid4().hex[:6]}", **fields}
    if case == "missing name":
        body.pop("name")
    response = registry.client.post("/api/models", json=body, headers=registry.as_role("data_scientist"))
    assert response.status_code == 422, response.text
    assert error_field(response) == field
    assert response.json()["error"]["code"] == "validation_error"


def test_edit_with_optimistic_concurrency(registry):
    model = new_model(registry, description="first")
    url, headers = f"/api/models/{model['id']}", registry.as_role("data_scientist")
    edited = registry.client.patch(url, json={"description": "second"}, headers={**headers, "If-Match": '"1"'})
    assert edited.status_code == 200 and edited.json()["description"] == "second"
    assert edited.json()["version"] == 2 and edited.headers["etag"] == '"2"'
    stale = registry.client.patch(url, json={"description": "third"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert error_field(stale) == "version"
    stale_body = registry.client.patch(url, json={"description": "third", "version": 1}, headers=headers)
    assert stale_body.status_code == 409 and stale_body.json()["error"]["code"] == "stale_version"
    renamed = registry.client.patch(url, json={"name": model["name"] + "-v2", "version": 2}, headers=headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == model["name"] + "-v2"
    assert registry.client.get(f"/api/models/{model['name']}-V2", headers=headers).json()["id"] == model["id"]
    other = new_model(registry)
    clash = registry.client.patch(url, json={"name": other["name"].upper()}, headers=headers)
    assert clash.status_code == 409 and error_field(clash) == "name"
    for body, field in (
        ({}, "body"),
        ({"framework": None}, "framework"),
        ({"input_schema": {"type": 1}}, "input_schema"),
    ):
        response = registry.client.patch(url, json=body, headers=headers)
        assert response.status_code in (400, 422) and error_field(response) == field, response.text
    bad_etag = registry.client.patch(url, json={"description": "x"}, headers={**headers, "If-Match": "abc"})
    assert bad_etag.status_code == 400 and error_field(bad_etag) == "if-match"
    assert registry.client.patch(url, json={"description": "x"}, headers=registry.as_role("viewer")).status_code == 403
    audit = registry.client.get(
        f"/api/audit?entity_id={model['id']}&action=model.update", headers=registry.as_role("admin")
    )
    first_edit = audit.json()["items"][-1]
    assert first_edit["before"] == {"description": "first"} and first_edit["after"] == {"description": "second"}


def test_list_filter_search_sort_and_paginate(registry):
    department = f"dept-{uuid.uuid4().hex[:6]}"
    specs = [
        ("Alpha churn", "sklearn", "classification", "EMEA", ["churn"], "Predicts CHURN"),
        ("beta demand", "pytorch", "forecasting", "APAC", ["demand", "weekly"], "weekly demand"),
        ("Gamma churn v2", "sklearn", "classification", "APAC", ["churn", "weekly"], None),
        ("delta price", "xgboost", "regression", "EMEA", ["pricing"], "Price elasticity"),
    ]
    suffix = uuid.uuid4().hex[:6]
    for name, framework, task, geography, tags, description in specs:
        new_model(
            registry,
            name=f"{name} {suffix}",
            framework=framework,
            task_type=task,
            geography=geography,
            tags=tags,
            description=description,
            department=department,
        )

    def names(query: str) -> list[str]:
        response = registry.client.get(
            f"/api/models?department={department}&{query}", headers=registry.as_role("viewer")
        )
        assert response.status_code == 200, response.text
        return [item["name"].removesuffix(f" {suffix}") for item in response.json()["items"]]

    assert names("") == ["Alpha churn", "beta demand", "delta price", "Gamma churn v2"]  # by name, any case
    assert names("sort=-name") == ["Gamma churn v2", "delta price", "beta demand", "Alpha churn"]
    assert names("q=churn") == ["Alpha churn", "Gamma churn v2"]
    assert names("q=ELASTIC") == ["delta price"]
    assert names("framework=sklearn&geography=APAC") == ["Gamma churn v2"]
    assert names("framework=sklearn&framework=xgboost") == ["Alpha churn", "delta price", "Gamma churn v2"]
    assert names("tag=weekly&tag=churn") == ["Gamma churn v2"]
    assert names("task_type=forecasting&owner=datascientist") == ["beta demand"]
    assert names("owner=admin") == []
    assert names("sort=created_at")[0] == "Alpha churn" and names("sort=-updated_at")[0] == "delta price"

    url = f"/api/models?department={department}&limit=3&sort=name"
    first = registry.client.get(url, headers=registry.as_role("viewer")).json()
    assert first["total"] == 4 and len(first["items"]) == 3 and first["next_cursor"]
    rest = registry.client.get(f"{url}&cursor={first['next_cursor']}", headers=registry.as_role("viewer")).json()
    assert rest["total"] == 4 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    for query, field in (
        ("sort=size", "sort"),
        ("limit=0", "limit"),
        ("framework=caffe", "framework.0"),
        ("cursor=%25", "cursor"),
    ):
        response = registry.client.get(f"/api/models?{query}", headers=registry.as_role("viewer"))
        assert response.status_code in (400, 422) and error_field(response) == field, (query, response.text)


def test_facets_count_under_the_other_filters(registry):
    department = f"dept-{uuid.uuid4().hex[:6]}"
    for framework, geography, tags in (
        ("sklearn", "EMEA", ["a"]),
        ("sklearn", "APAC", ["a", "b"]),
        ("onnx", "EMEA", []),
    ):
        new_model(registry, framework=framework, geography=geography, tags=tags, department=department)
    url = f"/api/models/facets?department={department}"
    facets = registry.client.get(url, headers=registry.as_role("viewer")).json()
    assert set(facets["facets"]) == set(FACET_FIELDS) and facets["total"] == 3
    counts = {name: {v["value"]: v["count"] for v in values} for name, values in facets["facets"].items()}
    assert counts["framework"] == {"sklearn": 2, "onnx": 1}
    assert counts["geography"] == {"EMEA": 2, "APAC": 1}
    assert counts["tags"] == {"a": 2, "b": 1} and counts["owner"] == {"datascientist": 3}
    assert counts["department"][department] == 3  # other departments too: its own filter is left out
    narrowed = registry.client.get(f"{url}&framework=sklearn", headers=registry.as_role("viewer")).json()
    counts = {name: {v["value"]: v["count"] for v in values} for name, values in narrowed["facets"].items()}
    assert narrowed["total"] == 2
    assert counts["framework"] == {"sklearn": 2, "onnx": 1}  # its own filter left out: the UI can widen it
    assert counts["geography"] == {"EMEA": 1, "APAC": 1} and counts["tags"] == {"a": 2, "b": 1}


def test_delete_admin_or_own_models_only(registry):
    mine = new_model(registry, role="data_scientist")
    theirs = new_model(registry, role="admin")
    assert theirs["owner"] == "admin"
    refused = registry.client.delete(f"/api/models/{theirs['id']}", headers=registry.as_role("data_scientist"))
    assert refused.status_code == 403 and error_field(refused) == "owner"
    assert (
        registry.client.delete(f"/api/models/{mine['id']}", headers=registry.as_role("business_user")).status_code
        == 403
    )
    stale = registry.client.delete(
        f"/api/models/{mine['id']}", headers={**registry.as_role("data_scientist"), "If-Match": '"7"'}
    )
    assert stale.status_code == 409
    assert (
        registry.client.delete(f"/api/models/{mine['name']}", headers=registry.as_role("data_scientist")).status_code
        == 204
    )
    assert registry.client.delete(f"/api/models/{theirs['id']}", headers=registry.as_role("admin")).status_code == 204
    assert registry.client.get(f"/api/models/{mine['id']}", headers=registry.as_role("viewer")).status_code == 404
    audit = registry.client.get(f"/api/audit?entity_id={mine['id']}", headers=registry.as_role("admin")).json()
    assert audit["items"][0]["action"] == "model.delete" and audit["items"][0]["before"]["name"] == mine["name"]


def test_a_model_used_by_a_deployment_cannot_be_deleted(registry):
    model = new_model(registry)
    registry.context.metadata.ensure_collection("deployments")  # the deployments domain owns it
    deployment = registry.context.metadata.insert("deployments", {"model_id": model["id"], "kind": "batch_scoring"})
    try:
        response = registry.client.delete(f"/api/models/{model['id']}", headers=registry.as_role("admin"))
        assert response.status_code == 409 and error_field(response) == "model_id"
    finally:
        registry.context.metadata.delete("deployments", deployment["_id"])
    assert registry.client.delete(f"/api/models/{model['id']}", headers=registry.as_role("admin")).status_code == 204


def test_every_filter_and_sort_has_an_index(registry):
    indexed = {ix.fields[0] for ix in INDEXES}
    assert {"search_text", "tags", *FACET_FIELDS, *SORTS.values()} <= indexed
    metadata = registry.context.metadata
    metadata.count(COLLECTION)  # make sure the collection and its indexes exist
    if registry.backend.startswith("sqlite"):
        rows = metadata._read("SELECT name FROM sqlite_master WHERE type IN ('index', 'table') AND name LIKE 'models%'")
        created = {name for (name,) in rows}
        for ix in INDEXES:
            expected = f"models__{ix.fields[0]}" if ix.multikey else f"models_{ix.name}"
            assert expected in created, expected
    else:
        created = set(metadata.db[COLLECTION].index_information())
        assert {ix.name for ix in INDEXES} <= created
