"""Model versions: streamed uploads, immutable records, aliases and stages — each move audited.

Every audit entry of a model's registry life uses the model's id as entity_id (entity_type
model or model_version), so `GET /api/audit?entity_id=<model id>` is the model's whole history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.responses import StreamingResponse

from modelhub.audit.repository import AuditLog
from modelhub.auth.tokens import Principal
from modelhub.datasets.repository import DatasetRepository
from modelhub.errors import Conflict, ModelHubError, NotFound, StaleVersion, ValidationFailed
from modelhub.models.repository import ModelRepository
from modelhub.models.service import DEPLOYMENTS, can_delete
from modelhub.stores.metadata import MetadataStore, Page
from modelhub.stores.objects import ObjectStore
from modelhub.timeutil import iso
from modelhub.transfer.download import object_response
from modelhub.transfer.multipart import FilePart, FormField, safe_filename, validate_form
from modelhub.transfer.reader import open_seekable
from modelhub.transfer.uploads import discard, receive
from modelhub.versions.formats import EXECUTES_CODE, ModelFormat, detect
from modelhub.versions.mlflow_interop import MlflowModel, build_export, export_headers, read_mlflow_zip, stream_file
from modelhub.versions.repository import VersionRepository
from modelhub.versions.schemas import RESERVED_ALIASES, Stage, VersionForm

MAX_ALIASES = 50


# Per-feature statistics and fitted transforms can weigh hundreds of KiB: a list leaves them out.
DETAIL_ONLY = ("reference_stats", "preprocessing")


def public(model: dict[str, Any], doc: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    number = doc["number"]
    aliases = sorted(a for a, n in (model.get("aliases") or {}).items() if n == number)
    if model.get("latest_version") == number:
        aliases.append("latest")
    return {
        "model_id": model["_id"],
        "model_name": model["name"],
        "version": number,
        "format": doc["format"],
        "executes_code_on_load": ModelFormat(doc["format"]) in EXECUTES_CODE
        or bool((doc.get("mlflow") or {}).get("executes_code_on_load")),  # a pickled model in an MLflow zip
        "size": doc["size"],
        "sha256": doc["sha256"],
        "filename": doc["filename"],
        "content_type": doc.get("content_type"),
        "params": doc.get("params") or {},
        "metrics": doc.get("metrics") or {},
        "notes": doc.get("notes"),
        "stage": doc.get("stage") or Stage.none.value,
        "aliases": aliases,
        "lineage": {
            "dataset_id": doc.get("dataset_id"),
            "dataset_sha256": doc.get("dataset_sha256"),
            "source_execution_id": doc.get("source_execution_id"),
            "parent_version": doc.get("parent_version"),
        },
        "created_at": doc["created_at"],
        "created_by": doc["created_by"],
        "stage_changed_at": doc.get("stage_changed_at"),
        "artifact_path": f"/api/models/{model['_id']}/versions/{number}/artifact",
        "framework": doc.get("framework"),
        "input_schema": doc.get("input_schema"),
        "output_schema": doc.get("output_schema"),
        "mlflow": doc.get("mlflow"),
        **{name: doc.get(name) if detail else None for name in DETAIL_ONLY},
    }


def version_number(model: dict[str, Any], ref: str) -> int:
    """A version reference: a number, an alias, or `latest`."""
    if ref.isdigit() and len(ref) <= 10:
        return int(ref)
    aliases = model.get("aliases") or {}
    if ref == "latest" and model.get("latest_version"):
        return model["latest_version"]
    if ref in aliases:
        return aliases[ref]
    raise NotFound(f"model {model['name']!r} has no version or alias {ref[:100]!r}", details={"field": "version"})


class VersionsService:
    def __init__(
        self,
        models: ModelRepository,
        versions: VersionRepository,
        datasets: DatasetRepository,
        objects: ObjectStore,
        metadata: MetadataStore,
        audit: AuditLog,
        max_upload_bytes: int,
    ):
        self.models = models
        self.versions = versions
        self.datasets = datasets
        self.objects = objects
        self.metadata = metadata
        self.audit = audit
        self.max_upload_bytes = max_upload_bytes

    def _resolve(self, model_ref: str, version_ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
        model = self.models.get(model_ref)
        return model, self.versions.get(model["_id"], version_number(model, version_ref), model["name"])

    # -- upload --------------------------------------------------------------------------------
    def upload(self, actor: Principal, model_ref: str, parts: Iterable[FormField | FilePart]) -> dict[str, Any]:
        model = self.models.get(model_ref)
        model_id = model["_id"]
        numbers: list[int] = []

        def key_for(part: FilePart, fields: dict[str, str]) -> str:
            validate_form(VersionForm, fields)  # refuse bad fields sent first before storing anything
            # A number is never reused, so a failed upload leaves a gap rather than a doubt.
            numbers.append(self.models.next_version_number(model_id))
            return f"models/{model_id}/versions/{numbers[0]}/{safe_filename(part.filename, 'model')}"

        fields, stored = receive(parts, self.objects, VersionForm.model_fields, key_for, self.max_upload_bytes)
        try:
            number = numbers[0]
            form: VersionForm = validate_form(VersionForm, fields)
            with open_seekable(self.objects, stored.key, stored.info.size) as stream:
                fmt = detect(stream, stored.info.size, stored.filename, form.format)
                # an MLflow model: its MLmodel gives framework and schemas (docs/registry.md, MLflow interop)
                imported = read_mlflow_zip(stream) if fmt is ModelFormat.mlflow else None
            doc = {
                "model_id": model_id,
                "number": number,
                "format": fmt.value,
                "size": stored.info.size,
                "sha256": stored.info.sha256,
                "filename": stored.filename or safe_filename(None, "model"),
                "content_type": stored.content_type,
                "object_key": stored.key,
                "params": form.params,
                "metrics": form.metrics,
                "notes": form.notes,
                "reference_stats": form.reference_stats,
                "preprocessing": form.preprocessing,
                "stage": Stage.none.value,
                "created_at": iso(),
                "created_by": actor.username,
                **self._lineage(model, number, form),
                **(imported.version_fields() if imported else {}),
            }
            saved = self.versions.insert(doc)
            try:
                before, model = self.models.update_with_retry(model_id, lambda m: self._newer(m, number, imported))
                self.audit.record(actor, "model.version.create", "model_version", model_id, None, public(model, saved))
                taken = [k for k in ("framework", "input_schema", "output_schema") if before.get(k) != model.get(k)]
                if taken:  # the model took framework or schemas from the MLmodel
                    old, new = ({k: m.get(k) for k in taken} for m in (before, model))
                    self.audit.record(actor, "model.update", "model", model_id, old, new)
            except ModelHubError:
                self.versions.delete(saved)
                raise
        except BaseException:
            discard(self.objects, stored.key)
            raise
        return public(model, saved)

    def _lineage(self, model: dict[str, Any], number: int, form: VersionForm) -> dict[str, Any]:
        lineage: dict[str, Any] = {
            "dataset_id": None,
            "dataset_sha256": None,
            "source_execution_id": form.source_execution_id,
            "parent_version": None,
        }
        if form.dataset_id:
            dataset = self.datasets.find(form.dataset_id)
            if dataset is None:
                raise ValidationFailed(f"no dataset with id {form.dataset_id!r}", details={"field": "dataset_id"})
            lineage.update(dataset_id=dataset["_id"], dataset_sha256=dataset["sha256"])
        if form.parent_version is not None:
            if form.parent_version >= number or self.versions.find(model["_id"], form.parent_version) is None:
                raise ValidationFailed(
                    f"model {model['name']!r} has no version {form.parent_version}", details={"field": "parent_version"}
                )
            lineage["parent_version"] = form.parent_version
        return lineage

    @staticmethod
    def _newer(model: dict[str, Any], number: int, imported: MlflowModel | None = None) -> dict[str, Any] | None:
        changes = imported.model_changes(model) if imported else {}
        if (model.get("latest_version") or 0) < number:
            changes["latest_version"] = number
        return {**changes, "updated_at": iso()} if changes else None

    # -- reads ---------------------------------------------------------------------------------
    def list(self, model_ref: str, stage: str | None, sort: str, limit: int, cursor: str | None) -> Page:
        model = self.models.get(model_ref)
        page = self.versions.list(model["_id"], stage, sort.startswith("-"), limit, cursor)
        page.items = [public(model, doc, detail=False) for doc in page.items]
        return page

    def get(self, model_ref: str, version_ref: str) -> dict[str, Any]:
        return public(*self._resolve(model_ref, version_ref))

    def artifact(self, model_ref: str, version_ref: str, range_header: str | None):
        _, doc = self._resolve(model_ref, version_ref)
        return object_response(
            self.objects,
            doc["object_key"],
            doc["size"],
            doc["sha256"],
            doc["filename"],
            doc.get("content_type"),
            range_header,
        )

    def export_mlflow(self, model_ref: str, version_ref: str) -> StreamingResponse:
        """The version as a zipped MLflow model directory (see versions/mlflow_interop.py)."""
        model, doc = self._resolve(model_ref, version_ref)
        handle, size, filename = build_export(self.objects, model, doc)
        return StreamingResponse(
            stream_file(handle), media_type="application/zip", headers=export_headers(size, filename)
        )

    def lineage(self, model_ref: str, version_ref: str) -> dict[str, Any]:
        model, doc = self._resolve(model_ref, version_ref)
        dataset = None
        if doc.get("dataset_id"):
            current = self.datasets.find(doc["dataset_id"])
            dataset = {
                "id": doc["dataset_id"],
                "sha256": doc.get("dataset_sha256"),
                "name": current["name"] if current else None,
                "available": bool(current and current["sha256"] == doc.get("dataset_sha256")),
            }
        return {
            "model_id": model["_id"],
            "model_name": model["name"],
            "version": doc["number"],
            "sha256": doc["sha256"],
            "dataset": dataset,
            "source_execution_id": doc.get("source_execution_id"),
            "parent_version": doc.get("parent_version"),
            "derived_versions": self.versions.children(model["_id"], doc["number"]),
        }

    # -- moves ---------------------------------------------------------------------------------
    def set_alias(self, actor: Principal, model_ref: str, alias: str, target: int | str) -> dict[str, Any]:
        if alias in RESERVED_ALIASES:
            raise ValidationFailed(
                f"{alias!r} is reserved: it always names the newest version", details={"field": "alias"}
            )
        model = self.models.get(model_ref)
        number = target if isinstance(target, int) else version_number(model, target)
        doc = self.versions.get(model["_id"], number, model["name"])

        def change(current: dict[str, Any]) -> dict[str, Any] | None:
            aliases = dict(current.get("aliases") or {})
            if aliases.get(alias) == number:
                return None
            if alias not in aliases and len(aliases) >= MAX_ALIASES:
                raise ValidationFailed(f"a model has at most {MAX_ALIASES} aliases", details={"field": "alias"})
            return {"aliases": {**aliases, alias: number}, "updated_at": iso()}

        before, after = self.models.update_with_retry(model["_id"], change)
        if before is not after:
            previous = (before.get("aliases") or {}).get(alias)
            self.audit.record(
                actor,
                "model.alias.set",
                "model",
                model["_id"],
                {"alias": alias, "version": previous},
                {"alias": alias, "version": number},
            )
        return public(after, doc)

    def delete_alias(self, actor: Principal, model_ref: str, alias: str) -> None:
        model = self.models.get(model_ref)
        if alias not in (model.get("aliases") or {}):
            raise NotFound(f"model {model['name']!r} has no alias {alias!r}", details={"field": "alias"})
        users = self.metadata.count(DEPLOYMENTS, {"model_id": model["_id"], "alias": alias})
        if users:
            raise Conflict(
                f"alias {alias!r} is used by {users} deployment(s); point them elsewhere first",
                details={"field": "alias", "deployments": users},
            )

        def change(current: dict[str, Any]) -> dict[str, Any] | None:
            aliases = dict(current.get("aliases") or {})
            if aliases.pop(alias, None) is None:
                return None
            return {"aliases": aliases, "updated_at": iso()}

        before, after = self.models.update_with_retry(model["_id"], change)
        if before is not after:
            previous = (before.get("aliases") or {}).get(alias)
            self.audit.record(
                actor, "model.alias.delete", "model", model["_id"], {"alias": alias, "version": previous}, None
            )

    def set_stage(self, actor: Principal, model_ref: str, version_ref: str, stage: Stage) -> dict[str, Any]:
        """Stages are free to move, except that a model has one production version: promoting one
        archives the version that was in production (see docs/registry.md)."""
        model, doc = self._resolve(model_ref, version_ref)
        previous = doc.get("stage") or Stage.none.value
        if previous == stage.value:
            return public(model, doc)
        now = iso()
        updated = self._move_stage(doc, stage, now)
        archived = []
        if stage is Stage.production:
            for other in self.versions.with_stage(model["_id"], Stage.production.value):
                if other["number"] != doc["number"]:
                    self._move_stage(other, Stage.archived, now)
                    archived.append(other["number"])
        after: dict[str, Any] = {"version": doc["number"], "stage": stage.value}
        if archived:
            after["archived_versions"] = sorted(archived)
        self.audit.record(
            actor,
            "model.version.stage",
            "model_version",
            model["_id"],
            {"version": doc["number"], "stage": previous},
            after,
        )
        return public(model, updated)

    def _move_stage(self, doc: dict[str, Any], stage: Stage, now: str) -> dict[str, Any]:
        for _ in range(10):
            try:
                return self.versions.update(doc, {"stage": stage.value, "stage_changed_at": now})
            except StaleVersion:
                doc = self.versions.find(doc["model_id"], doc["number"]) or doc
        raise StaleVersion("the version is being changed by others right now; try again")

    # -- delete --------------------------------------------------------------------------------
    def delete(self, actor: Principal, model_ref: str, version_ref: str) -> None:
        model, doc = self._resolve(model_ref, version_ref)
        can_delete(actor, model.get("owner"))
        number = doc["number"]
        aliases = sorted(a for a, n in (model.get("aliases") or {}).items() if n == number)
        if aliases:
            raise Conflict(
                f"version {number} is the target of alias(es) {', '.join(aliases)}; move or delete them first",
                details={"field": "version", "aliases": aliases},
            )
        users = self.metadata.count(DEPLOYMENTS, {"model_id": model["_id"], "version": number})
        if users:
            raise Conflict(
                f"version {number} is used by {users} deployment(s)",
                details={"field": "version", "deployments": users},
            )
        self.versions.delete(doc)
        if model.get("latest_version") == number:
            newest = self.versions.newest(model["_id"])
            self.models.update_with_retry(
                model["_id"],
                lambda m: (
                    None if m.get("latest_version") != number else {"latest_version": newest, "updated_at": iso()}
                ),
            )
        self.audit.record(actor, "model.version.delete", "model_version", model["_id"], public(model, doc), None)
        discard(self.objects, doc["object_key"])
