"""MLflow interop on both backends: a model saved by mlflow.sklearn registers with its flavor as framework
and its signature as schemas; an exported version loads with mlflow.pyfunc.load_model and predicts what the
original model predicts; a bad MLmodel is 422 naming the field and stores nothing."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import skops.io
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from tests.api.conftest import error_field
from tests.api.registry_files import make_files, zip_bytes
from tests.api.test_models import new_model
from tests.api.test_versions import upload

X, Y = load_iris(return_X_y=True, as_frame=True)
FEATURES = list(X.columns)
FILES_ONNX = make_files()["onnx"]
IRIS_INPUT = {
    "type": "object",
    "properties": {name: {"type": "number"} for name in FEATURES},
    "required": FEATURES,
}


@pytest.fixture(scope="module")
def fitted() -> LogisticRegression:
    return LogisticRegression(max_iter=500).fit(X, Y)


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + str(path.relative_to(folder)))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def mlflow_zips(fitted, tmp_path_factory) -> dict[str, bytes]:
    """A model saved by mlflow.sklearn.save_model (skops, with a signature), zipped as a folder and at the root."""
    import mlflow.sklearn
    from mlflow.models import infer_signature

    folder = tmp_path_factory.mktemp("mlflow") / "iris-model"
    signature = infer_signature(X, fitted.predict(X))
    mlflow.sklearn.save_model(
        fitted, str(folder), signature=signature, serialization_format="skops", pip_requirements=["scikit-learn"]
    )
    return {"folder": zip_folder(folder, "iris-model/"), "root": zip_folder(folder)}


def get(registry, path: str):
    return registry.client.get(path, headers=registry.as_role("viewer"))


def test_a_model_saved_by_mlflow_sklearn_registers_with_framework_and_signature(registry, mlflow_zips):
    model = new_model(registry, framework="other", task_type="classification")
    response = upload(registry, model["id"], ("iris-model.zip", mlflow_zips["folder"]))
    assert response.status_code == 201, response.text
    version = response.json()
    assert version["format"] == "mlflow" and version["framework"] == "sklearn"
    assert not version["executes_code_on_load"]
    assert list(version["input_schema"]["properties"]) == FEATURES
    assert all(prop == {"type": "number"} for prop in version["input_schema"]["properties"].values())
    assert version["input_schema"]["required"] == FEATURES
    assert version["output_schema"]["type"] == "integer"
    assert version["mlflow"]["flavors"] == ["python_function", "sklearn"]
    assert version["mlflow"]["flavor_details"]["sklearn"]["serialization_format"] == "skops"
    assert version["mlflow"]["mlflow_version"]
    # the model had neither framework nor schemas: it takes them, and the audit log says so
    got = get(registry, f"/api/models/{model['id']}").json()
    assert got["framework"] == "sklearn" and got["input_schema"] == version["input_schema"]
    assert got["output_schema"] == version["output_schema"]
    audit = registry.client.get(f"/api/audit?entity_id={model['id']}&limit=50", headers=registry.as_role("admin"))
    changes = [e for e in audit.json()["items"] if e["action"] == "model.update"]
    assert changes and changes[0]["after"]["framework"] == "sklearn"

    # zipped at the root with the format declared: the same; a model with its own schema keeps it
    own = new_model(registry, framework="pytorch", input_schema={"type": "object"}, output_schema={"type": "string"})
    second = upload(registry, own["id"], ("model.zip", mlflow_zips["root"]), format="mlflow")
    assert second.status_code == 201, second.text
    assert second.json()["framework"] == "sklearn" and second.json()["input_schema"] == version["input_schema"]
    kept = get(registry, f"/api/models/{own['id']}").json()
    assert kept["framework"] == "pytorch" and kept["input_schema"] == {"type": "object"}


def test_signatures_of_every_shape_become_json_schemas(registry):
    mlmodel = b"""
flavors:
  python_function: {loader_module: my_module}
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}]'
  outputs: '[{"type": "long", "name": "label"}, {"type": "string", "name": "why", "required": false}]'
"""
    model = new_model(registry, framework="other")
    response = upload(registry, model["id"], ("pyfunc.zip", zip_bytes({"MLmodel": mlmodel, "python_model.pkl": b"x"})))
    assert response.status_code == 201, response.text
    version = response.json()
    assert version["framework"] == "mlflow"  # python_function only: a generic MLflow pyfunc model
    assert version["executes_code_on_load"]  # a custom pyfunc is code
    image = version["input_schema"]
    assert image["type"] == "array" and image["minItems"] == 28 and image["items"]["items"]["type"] == "number"
    assert version["output_schema"]["properties"] == {"label": {"type": "integer"}, "why": {"type": "string"}}
    assert version["output_schema"]["required"] == ["label"]


def test_exported_versions_load_with_mlflow_pyfunc_and_predict_the_same(
    registry, fitted, mlflow_zips, tmp_path, monkeypatch
):
    import mlflow.pyfunc

    # MLflow refuses to deserialise any sklearn model (skops included) unless told the source is trusted
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    model = new_model(registry, input_schema=IRIS_INPUT, output_schema={"type": "integer", "enum": [0, 1, 2]})
    files = {
        "skops": ("iris.skops", skops.io.dumps(fitted)),
        "pickle": ("iris.pkl", pickle.dumps(fitted)),
        "mlflow": ("iris-model.zip", mlflow_zips["folder"]),
    }
    expected = fitted.predict(X)
    for kind, file in files.items():
        created = upload(registry, model["id"], file)
        assert created.status_code == 201 and created.json()["format"] == kind, created.text
        response = get(registry, f"/api/models/{model['id']}/versions/{created.json()['version']}/mlflow")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/zip"
        assert response.headers["content-length"] == str(len(response.content))
        assert "mlflow.zip" in response.headers["content-disposition"]
        target = tmp_path / kind
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            archive.extractall(target)
        folder = next(p.parent for p in target.rglob("MLmodel"))
        if kind != "mlflow":
            assert {p.name for p in folder.iterdir()} >= {"MLmodel", "conda.yaml", "requirements.txt"}
            signature = mlflow.models.Model.load(str(folder)).signature
            assert signature is not None and signature.inputs.input_names() == FEATURES
        loaded = mlflow.pyfunc.load_model(str(folder))
        predicted = loaded.predict(pd.DataFrame(X))
        assert list(pd.Series(predicted).astype(int)) == list(expected), kind

    # by alias too; formats MLflow's sklearn flavor cannot read as they are: 422 naming the format
    registry.client.put(
        f"/api/models/{model['id']}/aliases/champion", json={"version": 1}, headers=registry.as_role("data_scientist")
    )
    assert get(registry, f"/api/models/{model['id']}/versions/champion/mlflow").status_code == 200
    onnx = upload(registry, model["id"], FILES_ONNX)
    assert onnx.status_code == 201
    refused = get(registry, f"/api/models/{model['id']}/versions/{onnx.json()['version']}/mlflow")
    assert refused.status_code == 422 and error_field(refused) == "format"
    assert get(registry, f"/api/models/{model['id']}/versions/99/mlflow").status_code == 404
    broken = upload(registry, model["id"], make_files()["skops"])  # a zip with a schema.json that is not skops'
    assert broken.status_code == 201
    unreadable = get(registry, f"/api/models/{model['id']}/versions/{broken.json()['version']}/mlflow")
    assert unreadable.status_code == 422 and error_field(unreadable) == "file"


def test_a_bad_mlflow_model_is_refused_naming_the_field_and_stores_nothing(registry):
    model = new_model(registry)
    pkl = b"\x80\x04N."
    cases = {
        "zip without MLmodel": (zip_bytes({"model/model.pkl": pkl}), {"format": "mlflow"}, "format", None),
        "zip without MLmodel, undeclared": (zip_bytes({"model/conda.yaml": b"x"}), {}, "format", None),
        "MLmodel not YAML": (zip_bytes({"MLmodel": b"flavors: [unclosed\n  : :"}), {}, "file", "MLmodel"),
        "MLmodel a list": (zip_bytes({"MLmodel": b"- a\n- b\n"}), {}, "file", "MLmodel"),
        "MLmodel not UTF-8": (zip_bytes({"MLmodel": b"\xff\xfe\x00bad"}), {}, "file", "MLmodel"),
        "no flavors": (zip_bytes({"MLmodel": b"mlflow_version: 3.1.0\n"}), {}, "file", "flavors"),
        "unknown flavor": (zip_bytes({"m/MLmodel": b"flavors:\n  caffe2: {}\n"}), {}, "file", "flavors"),
        "signature not JSON": (
            zip_bytes({"MLmodel": b"flavors: {sklearn: {}}\nsignature: {inputs: '[{bad'}\n"}),
            {},
            "file",
            "signature.inputs",
        ),
        "signature column type": (
            zip_bytes({"MLmodel": b'flavors: {sklearn: {}}\nsignature: {outputs: \'[{"type": "blob"}]\'}\n'}),
            {},
            "file",
            "signature.outputs",
        ),
    }
    before = registry.object_keys()
    for case, (data, fields, field, mlmodel_field) in cases.items():
        response = upload(registry, model["id"], ("model.zip", data), **fields)
        assert response.status_code == 422, (case, response.text)
        assert error_field(response) == field, (case, response.text)
        if mlmodel_field:
            assert response.json()["error"]["details"]["mlmodel_field"] == mlmodel_field, case
            assert "MLflow model" in response.json()["error"]["message"], case
        assert registry.object_keys() == before, case
    listed = get(registry, f"/api/models/{model['id']}/versions").json()
    assert listed["total"] == 0
    assert get(registry, f"/api/models/{model['id']}").json()["latest_version"] is None
