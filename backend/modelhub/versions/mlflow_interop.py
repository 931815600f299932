"""MLflow interop: read an uploaded MLflow model zip, and export a version as an MLflow model zip.

Import reads only the `MLmodel` YAML file (yaml.safe_load, size-capped) from the zip's central
directory: the flavor gives the framework, the signature (column-based or tensor spec, JSON strings)
gives the input/output JSON Schema. No model file is opened, unpickled or imported.

Export writes a directory `mlflow.pyfunc.load_model` loads: the version's file untouched (skops files
with the sklearn flavor's `serialization_format: skops`, pickle files with `pickle`), an MLmodel with
the python_function and sklearn flavors, conda.yaml / python_env.yaml / requirements.txt, and a
signature derived from the JSON Schemas. Rules and limits: docs/registry.md, "MLflow interop".
"""

from __future__ import annotations

import contextlib
import json
import platform
import posixpath
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

import yaml

from modelhub.errors import ValidationFailed
from modelhub.models.schemas import Framework, check_json_schema
from modelhub.stores.objects import ObjectStore
from modelhub.transfer.download import content_disposition
from modelhub.transfer.reader import open_seekable
from modelhub.versions.formats import ModelFormat

MAX_MLMODEL_BYTES = 1024 * 1024
MAX_SIGNATURE_CHARS = 256 * 1024
# MLflow flavor -> ModelHub framework; the first specific flavor found wins. A model with only
# `python_function` (a custom pyfunc, or a flavor ModelHub has no framework for) is `mlflow`.
FLAVORS = {
    "sklearn": Framework.sklearn,
    "pytorch": Framework.pytorch,
    "onnx": Framework.onnx,
    "tensorflow": Framework.tensorflow,
    "keras": Framework.tensorflow,
    "xgboost": Framework.xgboost,
    "lightgbm": Framework.lightgbm,
}
PYFUNC = "python_function"
# Types a skops file may need beyond skops' defaults that an export lists as trusted for MLflow.
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.")

# MLflow column and tensor types -> JSON Schema of one value
COLUMN_TYPES: dict[str, dict[str, Any]] = {
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "long": {"type": "integer"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "string": {"type": "string"},
    "binary": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
    "any": {},
}


def _fail(message: str, mlmodel_field: str | None = None, **details: Any) -> ValidationFailed:
    return ValidationFailed(
        f"MLflow model: {message}", details={"field": "file", "mlmodel_field": mlmodel_field, **details}
    )


@dataclass
class MlflowModel:
    """What an MLmodel file says, reduced to what ModelHub records."""

    framework: Framework
    flavors: list[str]
    root: str  # folder of the MLmodel inside the zip ("" at the root)
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    signature: dict[str, str] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)  # mlflow_version, run_id, model_uuid, ...
    flavor_details: dict[str, dict[str, str]] = field(default_factory=dict)  # no dotted keys: MongoDB refuses them
    executes_code: bool = True

    def version_fields(self) -> dict[str, Any]:
        return {
            "framework": self.framework.value,
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "mlflow": {
                "flavors": self.flavors,
                "flavor_details": self.flavor_details,
                "executes_code_on_load": self.executes_code,
                "signature": self.signature or None,
                **self.info,
            },
        }

    def model_changes(self, model: dict[str, Any]) -> dict[str, Any]:
        """What the model takes from its first MLflow version: a framework if it has none (`other`),
        schemas if it has none; what a user set is never overwritten."""
        changes: dict[str, Any] = {}
        if model.get("framework") in (None, Framework.other.value):
            changes["framework"] = self.framework.value
        for name in ("input_schema", "output_schema"):
            if model.get(name) is None and getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        return changes


# -- import ------------------------------------------------------------------------------------------
def read_mlflow_zip(stream: IO[bytes]) -> MlflowModel:
    """The MLmodel of a zipped MLflow model (at the root or one folder down), checked."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fail(f"not a readable zip archive ({exc})") from None
    with archive:
        entries = [i for i in archive.infolist() if posixpath.basename(i.filename) == "MLmodel" and not i.is_dir()]
        entries = [i for i in entries if i.filename.count("/") <= 1]
        if not entries:
            raise _fail("the zip has no MLmodel file at its root or one folder down", "MLmodel")
        entry = min(entries, key=lambda i: i.filename.count("/"))
        if entry.file_size > MAX_MLMODEL_BYTES:
            raise _fail(f"MLmodel is larger than {MAX_MLMODEL_BYTES} bytes", "MLmodel")
        try:
            with archive.open(entry) as handle:
                raw = handle.read(MAX_MLMODEL_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
            raise _fail(f"cannot read MLmodel ({exc})", "MLmodel") from None
    return parse_mlmodel(raw, posixpath.dirname(entry.filename))


def parse_mlmodel(raw: bytes, root: str = "") -> MlflowModel:
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(f"MLmodel is not YAML: {str(exc).splitlines()[0][:300]}", "MLmodel") from None
    if not isinstance(doc, dict):
        raise _fail("MLmodel must be a YAML mapping", "MLmodel")
    flavors = doc.get("flavors")
    if not isinstance(flavors, dict) or not flavors or not all(isinstance(k, str) for k in flavors):
        raise _fail("MLmodel has no flavors (a mapping of flavor names)", "flavors")
    names = sorted(flavors)[:50]
    framework = next((FLAVORS[name] for name in names if name in FLAVORS), None)
    if framework is None:
        if PYFUNC not in flavors:
            raise _fail(
                f"unknown flavor(s) {', '.join(names)}: expected one of {', '.join(sorted(FLAVORS))} or {PYFUNC}",
                "flavors",
                flavors=names,
            )
        framework = Framework.mlflow
    signature = doc.get("signature") or {}
    if not isinstance(signature, dict):
        raise _fail("signature must be a mapping with inputs and outputs", "signature")
    kept: dict[str, str] = {}
    schemas: dict[str, dict[str, Any] | None] = {}
    for part in ("inputs", "outputs"):
        spec = signature.get(part)
        schemas[part] = None
        if spec is None:
            continue
        where = f"signature.{part}"
        if not isinstance(spec, str) or len(spec) > MAX_SIGNATURE_CHARS:
            raise _fail(f"{where} must be a JSON string of at most {MAX_SIGNATURE_CHARS} characters", where)
        try:
            columns = json.loads(spec)
        except ValueError as exc:
            raise _fail(f"{where} is not valid JSON: {exc}", where) from None
        schemas[part] = signature_to_json_schema(columns, where)
        kept[part] = spec
    info = {
        key: str(doc[key])[:200]
        for key in ("mlflow_version", "run_id", "model_uuid", "utc_time_created", "artifact_path")
        if doc.get(key) is not None
    }
    details: dict[str, dict[str, str]] = {}  # a few flavor facts worth showing (sklearn's serialization format)
    for name in names:
        conf = flavors[name]
        if isinstance(conf, dict):
            for key in ("loader_module", "serialization_format", "sklearn_version", "pytorch_version"):
                if isinstance(conf.get(key), str | int | float):
                    details.setdefault(name, {})[key] = str(conf[key])[:200]
    model = MlflowModel(framework, names, root, schemas["inputs"], schemas["outputs"], kept, info, details)
    model.executes_code = _executes_code(flavors)
    return model


def _executes_code(flavors: dict[str, Any]) -> bool:
    """Whether loading runs code from the zip: anything but sklearn-as-skops or ONNX (pickled models,
    custom pyfunc classes, bundled `code` paths) does."""
    safe_loaders = {"mlflow.sklearn", "mlflow.onnx"}
    for name, conf in flavors.items():
        conf = conf if isinstance(conf, dict) else {}
        if conf.get("code"):
            return True
        if name == PYFUNC and conf.get("loader_module") not in safe_loaders:
            return True
        if name == "sklearn" and conf.get("serialization_format") != "skops":
            return True
        if name not in (PYFUNC, "sklearn", "onnx"):
            return True
    return False


def _column_schema(spec: Any, where: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or "type" not in spec:
        raise _fail("each column or tensor must be an object with a type", where)
    kind = spec["type"]
    if kind == "tensor":
        return _tensor_schema(spec.get("tensor-spec"), where)
    if kind in COLUMN_TYPES:
        return dict(COLUMN_TYPES[kind])
    if kind == "array":
        return {"type": "array", "items": _column_schema(spec.get("items"), where)}
    if kind == "object":
        props = spec.get("properties")
        if not isinstance(props, dict):
            raise _fail("an object column needs properties", where)
        required = [k for k, v in props.items() if isinstance(v, dict) and v.get("required", True)]
        out = {"type": "object", "properties": {k: _column_schema(v, where) for k, v in props.items()}}
        return {**out, "required": required} if required else out
    if kind == "map":
        return {"type": "object", "additionalProperties": _column_schema(spec.get("values"), where)}
    raise _fail(f"unknown column type {str(kind)[:50]!r}", where)


def _dtype_schema(dtype: Any, where: str) -> dict[str, Any]:
    name = str(dtype)
    if name.startswith(("float", "double")):
        return {"type": "number"}
    if name.startswith(("int", "uint")):
        return {"type": "integer"}
    if name == "bool":
        return {"type": "boolean"}
    if name in ("str", "object", "bytes", "string"):
        return {"type": "string"}
    raise _fail(f"unknown tensor dtype {name[:50]!r}", where)


def _tensor_schema(spec: Any, where: str) -> dict[str, Any]:
    """One record of a tensor: the tensor without its leading batch dimension."""
    if not isinstance(spec, dict) or not isinstance(spec.get("shape"), list):
        raise _fail("a tensor needs tensor-spec with dtype and shape", where)
    schema = _dtype_schema(spec.get("dtype"), where)
    shape = spec["shape"]
    for size in reversed(shape[1:] if shape and shape[0] == -1 else shape):
        schema = {"type": "array", "items": schema}
        if isinstance(size, int) and size >= 0:
            schema.update(minItems=size, maxItems=size)
    return schema


def signature_to_json_schema(columns: Any, where: str) -> dict[str, Any]:
    """An MLflow schema (list of columns or tensors) as the JSON Schema of one record."""
    if not isinstance(columns, list) or not columns:
        raise _fail("must be a non-empty JSON list of columns or tensors", where)
    named = [c for c in columns if isinstance(c, dict) and c.get("name") is not None]
    if named and len(named) != len(columns):
        raise _fail("mixes named and unnamed columns", where)
    if not named:
        if len(columns) == 1:
            schema = _column_schema(columns[0], where)
        else:
            items = [_column_schema(c, where) for c in columns]
            schema = {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    else:
        properties = {str(c["name"]): _column_schema(c, where) for c in columns}
        required = [str(c["name"]) for c in columns if c.get("required", True)]
        schema = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            schema["required"] = required
    try:
        return check_json_schema(schema)  # no "$schema": MongoDB refuses keys starting with '$'; 2020-12 is the default
    except ValueError as exc:
        raise _fail(f"does not give a valid JSON Schema: {exc}", where) from None


# -- export ------------------------------------------------------------------------------------------
EXPORTABLE = (ModelFormat.skops, ModelFormat.pickle, ModelFormat.mlflow)
JSON_TO_COLUMN = {"number": "double", "integer": "long", "boolean": "boolean", "string": "string"}


def _column_type(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):  # ["number", "null"] and the like
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None and isinstance(schema.get("enum"), list) and schema["enum"]:
        first = schema["enum"][0]
        kind = "boolean" if isinstance(first, bool) else "integer" if isinstance(first, int) else None
        kind = kind or ("number" if isinstance(first, float) else "string" if isinstance(first, str) else None)
    if kind == "string" and schema.get("format") == "date-time":
        return "datetime"
    return JSON_TO_COLUMN.get(kind) if isinstance(kind, str) else None


def json_schema_to_signature(schema: dict[str, Any] | None) -> str | None:
    """The MLflow column spec (a JSON string) of a record's JSON Schema, None if it has no flat
    column form (then the export carries no signature for that side rather than a wrong one)."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "object" and isinstance(schema.get("properties"), dict) and schema["properties"]:
        required = schema.get("required")
        columns = []
        for name, prop in schema["properties"].items():
            kind = _column_type(prop)
            if kind is None:
                return None
            columns.append({"type": kind, "name": name, "required": name in required if required else True})
        return json.dumps(columns)
    kind = _column_type(schema)
    return json.dumps([{"type": kind, "required": True}]) if kind else None


def _requirement(package: str, distribution: str | None = None) -> str:
    try:
        return f"{package}=={version(distribution or package)}"
    except PackageNotFoundError:
        return package


def _skops_trusted(store: ObjectStore, key: str, size: int) -> list[str]:
    """The types beyond skops' defaults the file needs, limited to sklearn/numpy/scipy ones: read from
    its schema.json, nothing is loaded. A type outside those stays untrusted, so MLflow refuses it."""
    import skops.io

    try:
        with open_seekable(store, key, size) as stream:
            untrusted = skops.io.get_untrusted_types(file=stream)
    except Exception as exc:  # noqa: BLE001 - any malformed schema.json: the file, not the server, is at fault
        raise ValidationFailed(
            f"the skops file cannot be read: {type(exc).__name__}: {str(exc)[:200]}", details={"field": "file"}
        ) from None
    return [name for name in untrusted if name.startswith(TRUSTED_MODULES)]


def build_export(store: ObjectStore, model: dict[str, Any], doc: dict[str, Any]) -> tuple[IO[bytes], int, str]:
    """A zip of an MLflow model directory for one version, spooled (to disk past 16 MiB), with its size
    and file name. Only scikit-learn files MLflow's sklearn flavor reads as they are (skops, pickle)
    and versions that already are MLflow models can be exported."""
    fmt = ModelFormat(doc["format"])
    if fmt not in EXPORTABLE:
        raise ValidationFailed(
            f"version {doc['number']} is {fmt.value}: MLflow export supports scikit-learn versions stored as "
            f"skops or pickle, and versions uploaded as MLflow models",
            details={"field": "format", "format": fmt.value, "exportable": [f.value for f in EXPORTABLE]},
        )
    base = f"{model['name']}-v{doc['number']}".replace(" ", "_")
    spooled = tempfile.SpooledTemporaryFile(max_size=16 * 1024**2)  # noqa: SIM115 - closed by the response
    if fmt is ModelFormat.mlflow:  # it already is one
        for chunk in store.get(doc["object_key"]):
            spooled.write(chunk)
        spooled.seek(0)
        return spooled, doc["size"], f"{base}-mlflow.zip"
    model_file = "model.skops" if fmt is ModelFormat.skops else "model.pkl"
    sklearn_flavor: dict[str, Any] = {
        "code": None,
        "pickled_model": model_file,
        "serialization_format": fmt.value,
        "sklearn_version": version("scikit-learn"),
    }
    if fmt is ModelFormat.skops:
        sklearn_flavor["skops_trusted_types"] = _skops_trusted(store, doc["object_key"], doc["size"]) or None
    python_version = platform.python_version()
    mlmodel: dict[str, Any] = {
        "artifact_path": "model",
        "flavors": {
            "python_function": {
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": "mlflow.sklearn",
                "model_path": model_file,
                "predict_fn": "predict",
                "python_version": python_version,
            },
            "sklearn": sklearn_flavor,
        },
        "metadata": {
            "modelhub_model_id": model["_id"],
            "modelhub_model_name": model["name"],
            "modelhub_version": doc["number"],
            "modelhub_sha256": doc["sha256"],
        },
        "model_size_bytes": doc["size"],
        "model_uuid": uuid.uuid4().hex,
        "utc_time_created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    with contextlib.suppress(PackageNotFoundError):
        mlmodel["mlflow_version"] = version("mlflow")
    inputs = json_schema_to_signature(doc.get("input_schema") or model.get("input_schema"))
    outputs = json_schema_to_signature(doc.get("output_schema") or model.get("output_schema"))
    if inputs:
        mlmodel["signature"] = {"inputs": inputs, "outputs": outputs, "params": None}
    requirements = [_requirement("mlflow"), _requirement("scikit-learn"), _requirement("numpy")]
    requirements += [_requirement("scipy"), _requirement("pandas")]
    if fmt is ModelFormat.skops:
        requirements.append(_requirement("skops"))
    conda = {
        "name": "mlflow-env",
        "channels": ["conda-forge"],
        "dependencies": [f"python={python_version}", "pip", {"pip": requirements}],
    }
    python_env = {"python": python_version, "build_dependencies": ["pip"], "dependencies": ["-r requirements.txt"]}
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # at the root: unzip, load
        archive.writestr("MLmodel", yaml.safe_dump(mlmodel, sort_keys=True))
        archive.writestr("conda.yaml", yaml.safe_dump(conda, sort_keys=False))
        archive.writestr("python_env.yaml", yaml.safe_dump(python_env, sort_keys=False))
        archive.writestr("requirements.txt", "\n".join(requirements) + "\n")
        with archive.open(model_file, "w") as target:
            for chunk in store.get(doc["object_key"]):
                target.write(chunk)
    size = spooled.tell()
    spooled.seek(0)
    return spooled, size, f"{base}-mlflow.zip"


def stream_file(handle: IO[bytes], chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
    try:
        while chunk := handle.read(chunk_size):
            yield chunk
    finally:
        handle.close()


def export_headers(size: int, filename: str) -> dict[str, str]:
    return {"Content-Length": str(size), "Content-Disposition": content_disposition(filename)}
