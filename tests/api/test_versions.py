"""Model versions on both backends: streamed upload, formats, download with ranges, aliases,
stages, lineage; every failed upload leaves no record and no object behind."""

from __future__ import annotations

import base64
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api.conftest import REGISTRY_UPLOAD_LIMIT, error_field
from tests.api.registry_files import CSV, make_files, multipart
from tests.api.test_models import new_model

FILES = make_files()


def upload(registry, model_id: str, file: tuple[str, bytes] | None, role: str = "data_scientist", **fields):
    files = {"file": (file[0], file[1], "application/octet-stream")} if file else None
    data = {k: (json.dumps(v) if isinstance(v, dict) else str(v)) for k, v in fields.items()}
    if files is None:  # httpx only sends multipart when there is a file; force it for "missing file"
        body = multipart(data, None)
        headers = {**registry.as_role(role), "Content-Type": "multipart/form-data; boundary=modelhub-boundary"}
        return registry.client.post(f"/api/models/{model_id}/versions", content=body, headers=headers)
    return registry.client.post(
        f"/api/models/{model_id}/versions", files=files, data=data, headers=registry.as_role(role)
    )


def upload_ok(registry, model_id: str, kind: str = "pickle", **fields) -> dict:
    response = upload(registry, model_id, FILES[kind], **fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_versions_are_numbered_checksummed_and_downloadable(registry):
    model = new_model(registry)
    name, data = FILES["skops"]
    first = upload_ok(registry, model["id"], "skops", params={"C": 1.0}, metrics={"auc": 0.91, "n": 3}, notes="first")
    assert first["version"] == 1 and first["format"] == "skops" and not first["executes_code_on_load"]
    assert first["sha256"] == hashlib.sha256(data).hexdigest() and first["size"] == len(data)
    assert first["filename"] == name and first["params"] == {"C": 1.0} and first["metrics"] == {"auc": 0.91, "n": 3}
    assert first["stage"] == "none" and first["aliases"] == ["latest"] and first["created_by"] == "datascientist"
    second = upload_ok(registry, model["name"], "pickle")
    third = upload_ok(registry, model["id"], "onnx")
    assert [second["version"], third["version"]] == [2, 3] and second["executes_code_on_load"]
    listed = registry.client.get(f"/api/models/{model['id']}/versions", headers=registry.as_role("viewer")).json()
    assert listed["total"] == 3 and [v["version"] for v in listed["items"]] == [3, 2, 1]
    assert listed["items"][0]["aliases"] == ["latest"] and listed["items"][1]["aliases"] == []
    ascending = registry.client.get(
        f"/api/models/{model['id']}/versions?sort=version&limit=2", headers=registry.as_role("viewer")
    ).json()
    assert [v["version"] for v in ascending["items"]] == [1, 2] and ascending["next_cursor"]
    got = registry.client.get(f"/api/models/{model['id']}", headers=registry.as_role("viewer")).json()
    assert got["latest_version"] == 3

    url = f"/api/models/{model['id']}/versions/1/artifact"
    whole = registry.client.get(url, headers=registry.as_role("viewer"))
    assert whole.status_code == 200 and whole.content == data
    digest = hashlib.sha256(data)
    assert whole.headers["content-length"] == str(len(data))
    assert whole.headers["x-checksum-sha256"] == digest.hexdigest()
    assert whole.headers["digest"] == "sha-256=" + base64.b64encode(digest.digest()).decode()
    assert whole.headers["etag"] == f'"{digest.hexdigest()}"' and whole.headers["accept-ranges"] == "bytes"
    assert "model.skops" in whole.headers["content-disposition"]
    for header, status, expected in (
        ("bytes=0-9", 206, data[:10]),
        ("bytes=10-", 206, data[10:]),
        ("bytes=-5", 206, data[-5:]),
        ("bytes=5-100000000", 206, data[5:]),
        ("items=0-1", 200, data),
        ("bytes=0-1,4-5", 200, data),
    ):
        response = registry.client.get(url, headers={**registry.as_role("viewer"), "Range": header})
        assert response.status_code == status and response.content == expected, header
        assert response.headers["content-length"] == str(len(expected))
        if status == 206:
            start = len(data) - len(expected) if header.startswith("bytes=-") else int(header[6:].split("-")[0])
            assert response.headers["content-range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
    for header in (f"bytes={len(data)}-", "bytes=9-2", "bytes=abc", "bytes=-0"):
        response = registry.client.get(url, headers={**registry.as_role("viewer"), "Range": header})
        assert response.status_code == 416 and response.headers["content-range"] == f"bytes */{len(data)}", header
        assert error_field(response) == "range"
    for ref in ("99", "nope"):
        missing = registry.client.get(f"/api/models/{model['id']}/versions/{ref}", headers=registry.as_role("viewer"))
        assert missing.status_code == 404 and error_field(missing) == "version"


@pytest.mark.parametrize("kind", list(FILES))
def test_format_is_detected_from_the_content(registry, kind):
    model = new_model(registry)
    expected = "joblib" if kind.startswith("joblib") else kind
    assert upload_ok(registry, model["id"], kind)["format"] == expected
    declared = upload(registry, model["id"], FILES[kind], format=expected)
    assert declared.status_code == 201 and declared.json()["format"] == expected


def test_declared_format_must_agree_with_the_content(registry):
    model = new_model(registry)
    assert (
        upload_ok(registry, model["id"], "pickle", format="joblib")["format"] == "joblib"
    )  # a joblib dump is a pickle
    assert upload_ok(registry, model["id"], "torchscript", format="other")["format"] == "other"
    unknown = ("weights.bin", b"just some bytes, not a model")
    assert upload(registry, model["id"], unknown, format="other").status_code == 201
    for file, fields in (
        (FILES["pickle"], {"format": "onnx"}),
        (FILES["skops"], {"format": "torchscript"}),
        (FILES["torch_state_dict"], {"format": "torchscript"}),
        (unknown, {}),
        (("model.onnx", b"\x08\x09garbage"), {}),
        (("model.zip", b"PK\x03\x04 broken zip"), {}),
        (FILES["pickle"], {"format": "caffe"}),
    ):
        response = upload(registry, model["id"], file, **fields)
        assert response.status_code == 422 and error_field(response) == "format", (file[0], response.text)


def test_failed_uploads_leave_no_record_and_no_object(registry):
    model = new_model(registry)
    upload_ok(registry, model["id"])
    url = f"/api/models/{model['id']}/versions"
    headers = registry.as_role("data_scientist")
    boundary_type = {"Content-Type": "multipart/form-data; boundary=modelhub-boundary"}
    full = multipart({"notes": "cut"}, FILES["pickle"])
    cases = {
        "empty file": (lambda: upload(registry, model["id"], ("empty.pkl", b"")), 422, "file"),
        "missing file": (lambda: upload(registry, model["id"], None, notes="no file"), 422, "file"),
        "over the limit": (
            lambda: upload(registry, model["id"], ("big.pkl", b"\x80\x04" + b"x" * REGISTRY_UPLOAD_LIMIT)),
            413,
            "file",
        ),
        "cut in the file": (
            lambda: registry.client.post(
                url, content=full[: full.index(FILES["pickle"][1]) + 10], headers={**headers, **boundary_type}
            ),
            400,
            "file",
        ),
        "cut before the closing boundary": (
            lambda: registry.client.post(url, content=full[:-20], headers={**headers, **boundary_type}),
            400,
            "file",
        ),
        "not multipart": (lambda: registry.client.post(url, json={"file": "x"}, headers=headers), 415, "content-type"),
        "no boundary": (
            lambda: registry.client.post(url, content=full, headers={**headers, "Content-Type": "multipart/form-data"}),
            415,
            "content-type",
        ),
        "params not JSON": (lambda: upload(registry, model["id"], FILES["pickle"], params="{nope"), 422, "params"),
        "params not an object": (lambda: upload(registry, model["id"], FILES["pickle"], params="[1]"), 422, "params"),
        "metric not a number": (
            lambda: upload(registry, model["id"], FILES["pickle"], metrics={"auc": "high"}),
            422,
            "metrics",
        ),
        "notes too long": (lambda: upload(registry, model["id"], FILES["pickle"], notes="n" * 5001), 422, "notes"),
        "unknown dataset": (
            lambda: upload(registry, model["id"], FILES["pickle"], dataset_id="nope"),
            422,
            "dataset_id",
        ),
        "unknown parent": (
            lambda: upload(registry, model["id"], FILES["pickle"], parent_version=42),
            422,
            "parent_version",
        ),
        "unknown field": (lambda: upload(registry, model["id"], FILES["pickle"], colour="red"), 422, "colour"),
        "bad field after the file": (
            lambda: registry.client.post(
                url,
                content=multipart({}, FILES["pickle"]).replace(
                    b"--modelhub-boundary--",
                    b'--modelhub-boundary\r\nContent-Disposition: form-data; name="metrics"\r\n\r\n{"a": "b"}\r\n'
                    b"--modelhub-boundary--",
                ),
                headers={**headers, **boundary_type},
            ),
            422,
            "metrics",
        ),
        "two files": (
            lambda: registry.client.post(
                url,
                content=multipart({}, FILES["pickle"]).replace(b"--modelhub-boundary--", multipart({}, FILES["onnx"])),
                headers={**headers, **boundary_type},
            ),
            422,
            "file",
        ),
        "format contradicts the file": (
            lambda: upload(registry, model["id"], FILES["pickle"], format="onnx"),
            422,
            "format",
        ),
    }
    before = registry.object_keys()
    for case, (send, status, field) in cases.items():
        response = send()
        assert response.status_code == status, (case, response.text)
        assert error_field(response) == field, (case, response.text)
        assert registry.object_keys() == before, case
    listed = registry.client.get(url, headers=headers).json()
    assert listed["total"] == 1
    # numbers are never reused, so a failed upload may leave a gap; the next success is still one more
    assert upload_ok(registry, model["id"])["version"] > 1
    refused = upload(registry, model["id"], FILES["pickle"], role="business_user")
    assert refused.status_code == 403
    assert upload(registry, "no-such-model", FILES["pickle"]).status_code == 404


def test_aliases_resolve_everywhere_and_every_move_is_audited(registry):
    model = new_model(registry)
    for _ in range(3):
        upload_ok(registry, model["id"])
    base, headers = f"/api/models/{model['id']}", registry.as_role("data_scientist")
    moved = registry.client.put(f"{base}/aliases/champion", json={"version": 1}, headers=headers)
    assert moved.status_code == 200 and moved.json()["version"] == 1 and moved.json()["aliases"] == ["champion"]
    assert registry.client.put(f"{base}/aliases/challenger", json={"version": 2}, headers=headers).status_code == 200
    promoted = registry.client.put(f"{base}/aliases/champion", json={"version": "challenger"}, headers=headers)
    assert promoted.status_code == 200 and promoted.json()["version"] == 2
    assert promoted.json()["aliases"] == ["challenger", "champion"]
    got = registry.client.get(f"/api/models/{model['name']}", headers=headers).json()
    assert got["aliases"] == {"champion": 2, "challenger": 2} and got["latest_version"] == 3
    assert registry.client.get(f"{base}/versions/champion", headers=headers).json()["version"] == 2
    assert registry.client.get(f"{base}/versions/latest", headers=headers).json()["version"] == 3
    artifact = registry.client.get(f"{base}/versions/champion/artifact", headers=headers)
    assert artifact.status_code == 200 and artifact.headers["x-checksum-sha256"]
    assert registry.client.get(f"{base}/versions/champion/lineage", headers=headers).json()["version"] == 2
    for alias, body, status, field in (
        ("champion", {"version": 9}, 404, "version"),
        ("champion", {"version": "nobody"}, 404, "version"),
        ("latest", {"version": 1}, 422, "alias"),
        ("Bad-Alias", {"version": 1}, 422, "alias"),
        ("champion", {"version": 0}, 422, "version"),
        ("champion", {}, 422, "version"),
    ):
        response = registry.client.put(f"{base}/aliases/{alias}", json=body, headers=headers)
        assert response.status_code == status and error_field(response).startswith(field), (alias, body, response.text)
    registry.context.metadata.ensure_collection("deployments")  # the deployments domain owns it
    deployment = registry.context.metadata.insert("deployments", {"model_id": model["id"], "alias": "challenger"})
    in_use = registry.client.delete(f"{base}/aliases/challenger", headers=headers)
    assert in_use.status_code == 409 and error_field(in_use) == "alias"
    registry.context.metadata.delete("deployments", deployment["_id"])
    assert registry.client.delete(f"{base}/aliases/challenger", headers=headers).status_code == 204
    missing = registry.client.delete(f"{base}/aliases/challenger", headers=headers)
    assert missing.status_code == 404 and error_field(missing) == "alias"
    assert registry.client.get(f"{base}/versions/challenger", headers=headers).status_code == 404
    viewer = registry.client.put(f"{base}/aliases/x", json={"version": 1}, headers=registry.as_role("viewer"))
    assert viewer.status_code == 403

    history = registry.client.get(
        f"/api/audit?entity_id={model['id']}&action=model.alias.set", headers=registry.as_role("admin")
    ).json()["items"]
    moves = [(e["before"]["version"], e["after"]["version"], e["after"]["alias"]) for e in reversed(history)]
    assert moves == [(None, 1, "champion"), (None, 2, "challenger"), (1, 2, "champion")]
    removal = registry.client.get(
        f"/api/audit?entity_id={model['id']}&action=model.alias.delete", headers=registry.as_role("admin")
    ).json()["items"]
    assert removal[0]["before"] == {"alias": "challenger", "version": 2} and removal[0]["after"] is None


def test_one_production_version_at_a_time(registry):
    model = new_model(registry)
    for _ in range(3):
        upload_ok(registry, model["id"])
    base, headers = f"/api/models/{model['id']}", registry.as_role("data_scientist")

    def stage(version, value):
        response = registry.client.put(f"{base}/versions/{version}/stage", json={"stage": value}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert stage(1, "production")["stage"] == "production"
    assert stage(2, "staging")["stage"] == "staging"
    assert stage("latest", "production")["version"] == 3
    stages = {
        v["version"]: v["stage"] for v in registry.client.get(f"{base}/versions", headers=headers).json()["items"]
    }
    assert stages == {1: "archived", 2: "staging", 3: "production"}
    production = registry.client.get(f"{base}/versions?stage=production", headers=headers).json()
    assert [v["version"] for v in production["items"]] == [3]
    bad = registry.client.put(f"{base}/versions/1/stage", json={"stage": "gold"}, headers=headers)
    assert bad.status_code == 422 and error_field(bad) == "stage"
    history = registry.client.get(
        f"/api/audit?entity_id={model['id']}&action=model.version.stage", headers=registry.as_role("admin")
    ).json()["items"]
    latest_move = history[0]
    assert latest_move["before"] == {"version": 3, "stage": "none"}
    assert latest_move["after"] == {"version": 3, "stage": "production", "archived_versions": [1]}
    assert len(history) == 3


def test_model_history_reads_alias_and_stage_moves_for_anyone_who_browses(registry):
    model = new_model(registry)
    base, headers = f"/api/models/{model['id']}", registry.as_role("data_scientist")
    for _ in range(2):
        upload_ok(registry, model["id"])
    edited = registry.client.patch(base, json={"description": "new words"}, headers=headers)
    assert edited.status_code == 200, edited.text
    for method, path, body in (
        ("PUT", "aliases/champion", {"version": 1}),
        ("PUT", "aliases/champion", {"version": 2}),
        ("PUT", "versions/1/stage", {"stage": "production"}),
        ("PUT", "versions/2/stage", {"stage": "production"}),
        ("DELETE", "aliases/champion", None),
    ):
        response = registry.client.request(method, f"{base}/{path}", json=body, headers=headers)
        assert response.status_code in (200, 204), response.text
    other = new_model(registry)  # another model's moves stay out of this one's history
    upload_ok(registry, other["id"])

    page = registry.client.get(f"/api/models/{model['name']}/history", headers=registry.as_role("viewer"))
    assert page.status_code == 200, page.text
    events = page.json()["items"]
    assert page.json()["total"] == 9
    assert [e["summary"] for e in reversed(events)] == [
        "registered the model",
        "uploaded v1",
        "uploaded v2",
        "edited description",
        "set champion on v1",
        "moved champion from v1 to v2",
        "moved v1 from none to production",
        "moved v2 from none to production; archived v1",
        "removed champion (was v2)",
    ]
    assert all(e["actor"] == "datascientist" for e in events)
    promoted = events[1]
    assert (promoted["action"], promoted["version"], promoted["stage"], promoted["previous_stage"]) == (
        "model.version.stage",
        2,
        "production",
        "none",
    ) and promoted["archived_versions"] == [1]

    only_aliases = registry.client.get(
        f"{base}/history?action=model.alias.set&action=model.alias.delete&limit=2", headers=headers
    ).json()
    assert only_aliases["total"] == 3 and [e["summary"] for e in only_aliases["items"]] == [
        "removed champion (was v2)",
        "moved champion from v1 to v2",
    ]
    rest = registry.client.get(
        f"{base}/history?action=model.alias.set&action=model.alias.delete&limit=2&cursor={only_aliases['next_cursor']}",
        headers=headers,
    ).json()
    assert [e["summary"] for e in rest["items"]] == ["set champion on v1"] and rest["next_cursor"] is None
    bad = registry.client.get(f"{base}/history?action=model.delete", headers=headers)
    assert bad.status_code == 422 and error_field(bad).startswith("action")
    missing = registry.client.get("/api/models/no-such-model/history", headers=headers)
    assert missing.status_code == 404
    assert registry.client.get(f"{base}/history").status_code == 401


def test_lineage_dataset_execution_parent(registry):
    model = new_model(registry)
    dataset = registry.client.post(
        "/api/datasets", files={"file": ("train.csv", CSV, "text/csv")}, headers=registry.as_role("data_scientist")
    ).json()
    parent = upload_ok(registry, model["id"])
    child = upload_ok(
        registry,
        model["id"],
        dataset_id=dataset["id"],
        source_execution_id="exec-42",
        parent_version=parent["version"],
    )
    assert child["lineage"] == {
        "dataset_id": dataset["id"],
        "dataset_sha256": dataset["sha256"],
        "source_execution_id": "exec-42",
        "parent_version": parent["version"],
    }
    base = f"/api/models/{model['id']}/versions"
    lineage = registry.client.get(f"{base}/{child['version']}/lineage", headers=registry.as_role("viewer")).json()
    assert lineage["dataset"] == {
        "id": dataset["id"],
        "sha256": dataset["sha256"],
        "name": "train.csv",
        "available": True,
    }
    assert lineage["source_execution_id"] == "exec-42" and lineage["parent_version"] == parent["version"]
    parent_lineage = registry.client.get(f"{base}/{parent['version']}/lineage", headers=registry.as_role("viewer"))
    assert parent_lineage.json()["derived_versions"] == [child["version"]] and parent_lineage.json()["dataset"] is None
    assert (
        registry.client.delete(f"/api/datasets/{dataset['id']}", headers=registry.as_role("admin")).status_code == 204
    )
    gone = registry.client.get(f"{base}/{child['version']}/lineage", headers=registry.as_role("viewer")).json()
    assert gone["dataset"]["available"] is False and gone["dataset"]["sha256"] == dataset["sha256"]


def test_delete_versions_and_models_with_their_files(registry):
    model = new_model(registry)
    first, second = upload_ok(registry, model["id"]), upload_ok(registry, model["id"])
    base = f"/api/models/{model['id']}"
    assert len(list(registry.context.objects.list(f"models/{model['id']}/"))) == 2
    registry.client.put(f"{base}/aliases/champion", json={"version": 2}, headers=registry.as_role("admin"))
    aliased = registry.client.delete(f"{base}/versions/2", headers=registry.as_role("admin"))
    assert aliased.status_code == 409 and aliased.json()["error"]["details"]["aliases"] == ["champion"]
    other = new_model(registry, role="admin")
    upload_ok(registry, other["id"])
    refused = registry.client.delete(
        f"/api/models/{other['id']}/versions/1", headers=registry.as_role("data_scientist")
    )
    assert refused.status_code == 403 and error_field(refused) == "owner"
    assert registry.client.delete(f"{base}/aliases/champion", headers=registry.as_role("admin")).status_code == 204
    assert registry.client.delete(f"{base}/versions/2", headers=registry.as_role("data_scientist")).status_code == 204
    assert (
        registry.client.get(f"{base}", headers=registry.as_role("viewer")).json()["latest_version"] == first["version"]
    )
    assert registry.client.get(f"{base}/versions/2", headers=registry.as_role("viewer")).status_code == 404
    assert upload_ok(registry, model["id"])["version"] == second["version"] + 1  # numbers are never reused
    assert registry.client.delete(base, headers=registry.as_role("data_scientist")).status_code == 204
    assert not list(registry.context.objects.list(f"models/{model['id']}/"))
    assert registry.client.get(f"{base}/versions", headers=registry.as_role("viewer")).status_code == 404


def test_concurrent_uploads_get_distinct_numbers(registry):
    model = new_model(registry)
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: upload(registry, model["id"], FILES["onnx"]), range(6)))
    assert [r.status_code for r in responses] == [201] * 6
    assert sorted(r.json()["version"] for r in responses) == [1, 2, 3, 4, 5, 6]
    got = registry.client.get(f"/api/models/{model['id']}", headers=registry.as_role("viewer")).json()
    assert got["latest_version"] == 6
