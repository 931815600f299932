"""Datasets on both backends: upload with sniffed schema and row count, list, download, delete;
malformed files answer 422 and leave nothing behind."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from tests.api.conftest import REGISTRY_UPLOAD_LIMIT, error_field
from tests.api.registry_files import CSV, JSONL, multipart, parquet_bytes


def upload(registry, filename: str, data: bytes, role: str = "data_scientist", **fields):
    return registry.client.post(
        "/api/datasets",
        files={"file": (filename, data, "application/octet-stream")},
        data=fields,
        headers=registry.as_role(role),
    )


def upload_ok(registry, filename: str, data: bytes, **fields) -> dict:
    response = upload(registry, filename, data, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def columns(dataset: dict) -> dict[str, tuple[str, bool]]:
    return {c["name"]: (c["type"], c["nullable"]) for c in dataset["columns"]}


def test_csv_schema_and_rows_are_sniffed(registry):
    dataset = upload_ok(registry, "sales.csv", CSV, name="Sales 2024", description="weekly sales")
    assert dataset["format"] == "csv" and dataset["row_count"] == 3 and dataset["name"] == "Sales 2024"
    assert dataset["sha256"] == hashlib.sha256(CSV).hexdigest() and dataset["size"] == len(CSV)
    assert columns(dataset) == {
        "id": ("integer", False),
        "amount": ("number", True),
        "active": ("boolean", False),
        "when": ("datetime", False),
        "label": ("string", True),
    }
    assert dataset["options"] == {"delimiter": ","} and dataset["created_by"] == "datascientist"
    semicolons = upload_ok(registry, "eu.txt", "name;city\nZoë;Köln\n".encode(), format="csv")
    assert semicolons["options"] == {"delimiter": ";"} and semicolons["row_count"] == 1
    got = registry.client.get(f"/api/datasets/{dataset['id']}", headers=registry.as_role("viewer"))
    assert got.status_code == 200 and got.json() == dataset


def test_jsonl_and_parquet(registry):
    jsonl = upload_ok(registry, "events.jsonl", JSONL)
    assert jsonl["format"] == "jsonl" and jsonl["row_count"] == 3
    assert columns(jsonl) == {
        "id": ("integer", False),
        "score": ("number", True),
        "tags": ("array", True),
        "extra": ("object", True),
    }
    assert upload_ok(registry, "noext", JSONL)["format"] == "jsonl"  # told by its content
    data = parquet_bytes()
    parquet = upload_ok(registry, "prices.parquet", data)
    assert parquet["format"] == "parquet" and parquet["row_count"] == 3
    assert columns(parquet) == {"id": ("integer", True), "price": ("number", True), "name": ("string", True)}
    assert upload_ok(registry, "prices.bin", data)["format"] == "parquet"


def test_list_search_download_and_delete(registry):
    tag = uuid.uuid4().hex[:8]
    first = upload_ok(registry, f"a-{tag}.csv", CSV)
    second = upload_ok(registry, f"b-{tag}.jsonl", JSONL, description=f"about {tag.upper()}")
    headers = registry.as_role("viewer")
    found = registry.client.get(f"/api/datasets?q={tag}", headers=headers).json()
    assert found["total"] == 2 and [d["id"] for d in found["items"]] == [second["id"], first["id"]]
    by_name = registry.client.get(f"/api/datasets?q={tag}&sort=name&limit=1", headers=headers).json()
    assert by_name["items"][0]["id"] == first["id"] and by_name["next_cursor"] and by_name["total"] == 2
    only_jsonl = registry.client.get(f"/api/datasets?q={tag}&format=jsonl", headers=headers).json()
    assert [d["id"] for d in only_jsonl["items"]] == [second["id"]]
    for query, field in (("format=xlsx", "format"), ("sort=rows", "sort"), ("limit=500", "limit")):
        response = registry.client.get(f"/api/datasets?{query}", headers=headers)
        assert response.status_code == 422 and error_field(response) == field

    download = registry.client.get(first["download_path"], headers=headers)
    assert download.status_code == 200 and download.content == CSV
    assert download.headers["x-checksum-sha256"] == first["sha256"]
    assert download.headers["content-length"] == str(len(CSV))
    part = registry.client.get(first["download_path"], headers={**headers, "Range": "bytes=3-7"})
    assert part.status_code == 206 and part.content == CSV[3:8]

    assert registry.client.delete(f"/api/datasets/{first['id']}", headers=headers).status_code == 403
    key_prefix = f"datasets/{first['id']}/"
    assert list(registry.context.objects.list(key_prefix))
    assert (
        registry.client.delete(f"/api/datasets/{first['id']}", headers=registry.as_role("data_scientist")).status_code
        == 204
    )
    assert not list(registry.context.objects.list(key_prefix))
    assert registry.client.get(f"/api/datasets/{first['id']}", headers=headers).status_code == 404
    assert registry.client.get(first["download_path"], headers=headers).status_code == 404
    audit = registry.client.get(f"/api/audit?entity_id={first['id']}", headers=registry.as_role("admin")).json()
    assert [e["action"] for e in audit["items"]] == ["dataset.delete", "dataset.create"]


def test_a_dataset_used_by_a_deployment_cannot_be_deleted(registry):
    dataset = upload_ok(registry, "scoring.csv", CSV)
    registry.context.metadata.ensure_collection("deployments")  # the deployments domain owns it
    deployment = registry.context.metadata.insert("deployments", {"dataset_id": dataset["id"]})
    try:
        response = registry.client.delete(f"/api/datasets/{dataset['id']}", headers=registry.as_role("admin"))
        assert response.status_code == 409 and error_field(response) == "dataset_id"
        assert response.json()["error"]["details"]["deployments"] == 1
    finally:
        registry.context.metadata.delete("deployments", deployment["_id"])
    assert (
        registry.client.delete(f"/api/datasets/{dataset['id']}", headers=registry.as_role("admin")).status_code == 204
    )


BAD_DATASETS = {
    "empty file": ("empty.csv", b"", {}, 422, "file", "empty"),
    "ragged csv row": ("ragged.csv", b"a,b\n1,2\n3\n", {}, 422, "file", "line 3 has 1 fields"),
    "duplicate csv column": ("dup.csv", b"a,b,a\n1,2,3\n", {}, 422, "file", "more than once"),
    "unnamed csv column": ("blank.csv", b"a,,c\n1,2,3\n", {}, 422, "file", "column 2"),
    "unterminated quote": ("quote.csv", b'a,b\n1,"2\n', {}, 422, "file", "line"),
    "not utf-8": ("latin.csv", "name\ncafé\n".encode("latin-1"), {}, 422, "file", "UTF-8"),
    "jsonl bad line": ("bad.jsonl", b'{"a": 1}\n{"a": \n', {}, 422, "file", "line 2 is not valid JSON"),
    "jsonl array line": ("arr.jsonl", b'{"a": 1}\n[1, 2]\n', {}, 422, "file", "line 2 is a JSON list"),
    "jsonl nested too deeply": ("deep.jsonl", b"[" * 60_000 + b"\n", {}, 422, "file", "too deeply"),
    "jsonl without records": ("blank.jsonl", b"\n\n", {}, 422, "file", "no records"),
    "parquet name, other content": ("x.parquet", b"a,b\n1,2\n", {}, 422, "file", "not a Parquet file"),
    "truncated parquet": ("x.parquet", b"PAR1garbagePAR1", {}, 422, "file", "not a valid Parquet file"),
    "declared parquet for csv": ("x.csv", CSV, {"format": "parquet"}, 422, "format", "not a Parquet file"),
    "unknown format": ("x.csv", CSV, {"format": "xlsx"}, 422, "format", "format"),
    "name too long": ("x.csv", CSV, {"name": "n" * 201}, 422, "name", "name"),
    "unknown field": ("x.csv", CSV, {"colour": "red"}, 422, "colour", "colour"),
    "over the limit": ("big.csv", b"a\n" + b"1\n" * REGISTRY_UPLOAD_LIMIT, {}, 413, "file", "limit"),
}


@pytest.mark.parametrize("case", list(BAD_DATASETS))
def test_bad_datasets_are_refused_and_leave_nothing(registry, case):
    filename, data, fields, status, field, message = BAD_DATASETS[case]
    before_keys = registry.object_keys()
    before_total = registry.client.get("/api/datasets?limit=1", headers=registry.as_role("viewer")).json()["total"]
    response = upload(registry, filename, data, **fields)
    assert response.status_code == status, response.text
    assert error_field(response) == field and message in response.json()["error"]["message"], response.text
    assert registry.object_keys() == before_keys
    after_total = registry.client.get("/api/datasets?limit=1", headers=registry.as_role("viewer")).json()["total"]
    assert after_total == before_total


def test_bad_requests_leave_nothing(registry):
    headers = registry.as_role("data_scientist")
    boundary_type = {"Content-Type": "multipart/form-data; boundary=modelhub-boundary"}
    body = multipart({"name": "cut"}, ("cut.csv", CSV))
    before = registry.object_keys()
    cut = registry.client.post(
        "/api/datasets", content=body[: body.index(CSV) + 5], headers={**headers, **boundary_type}
    )
    assert cut.status_code == 400 and error_field(cut) == "file"
    wrong_type = registry.client.post("/api/datasets", content=CSV, headers={**headers, "Content-Type": "text/csv"})
    assert wrong_type.status_code == 415 and error_field(wrong_type) == "content-type"
    no_file = registry.client.post(
        "/api/datasets", content=multipart({"name": "x"}, None), headers={**headers, **boundary_type}
    )
    assert no_file.status_code == 422 and error_field(no_file) == "file"
    assert upload(registry, "x.csv", CSV, role="viewer").status_code == 403
    assert registry.object_keys() == before
