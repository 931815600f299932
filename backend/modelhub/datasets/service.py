"""Dataset uploads, listing and deletion, each change audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from modelhub.audit.repository import AuditLog
from modelhub.auth.tokens import Principal
from modelhub.datasets.repository import SORTS, DatasetRepository
from modelhub.datasets.schemas import DatasetForm
from modelhub.datasets.sniff import detect_format, sniff
from modelhub.errors import Conflict, ModelHubError
from modelhub.stores.metadata import MetadataStore, Page, new_id
from modelhub.stores.objects import ObjectStore
from modelhub.timeutil import iso
from modelhub.transfer.download import object_response
from modelhub.transfer.multipart import FilePart, FormField, safe_filename, validate_form
from modelhub.transfer.uploads import discard, receive

DEPLOYMENTS = "deployments"  # written by the deployments domain; a dataset in use there cannot go


def public(doc: dict[str, Any]) -> dict[str, Any]:
    hidden = {"_id", "_version", "name_key", "search_text", "object_key"}
    return {
        "id": doc["_id"],
        **{k: v for k, v in doc.items() if k not in hidden},
        "download_path": f"/api/datasets/{doc['_id']}/download",
    }


class DatasetsService:
    def __init__(
        self,
        datasets: DatasetRepository,
        objects: ObjectStore,
        metadata: MetadataStore,
        audit: AuditLog,
        max_upload_bytes: int,
    ):
        self.datasets = datasets
        self.objects = objects
        self.metadata = metadata
        self.audit = audit
        self.max_upload_bytes = max_upload_bytes

    def upload(self, actor: Principal, parts: Iterable[FormField | FilePart]) -> dict[str, Any]:
        dataset_id = new_id()

        def key_for(part: FilePart, fields: dict[str, str]) -> str:
            validate_form(DatasetForm, fields)  # refuse bad fields sent first before storing anything
            return f"datasets/{dataset_id}/{safe_filename(part.filename, 'data')}"

        fields, stored = receive(parts, self.objects, DatasetForm.model_fields, key_for, self.max_upload_bytes)
        try:
            form: DatasetForm = validate_form(DatasetForm, fields)
            head = b"".join(self.objects.get(stored.key, 0, 15))
            fmt = detect_format(head, stored.filename, form.format)
            sniffed = sniff(self.objects, stored.key, stored.info.size, fmt)
            doc = {
                "_id": dataset_id,
                "name": form.name or stored.filename or dataset_id,
                "description": form.description,
                "format": fmt.value,
                "filename": stored.filename or safe_filename(None, "data"),
                "content_type": stored.content_type,
                "size": stored.info.size,
                "sha256": stored.info.sha256,
                "object_key": stored.key,
                "row_count": sniffed.row_count,
                "columns": sniffed.columns,
                "options": sniffed.options,
                "created_at": iso(),
                "created_by": actor.username,
            }
            saved = self.datasets.insert(doc)
            try:
                self.audit.record(actor, "dataset.create", "dataset", dataset_id, None, public(saved))
            except ModelHubError:
                self.datasets.delete(saved)
                raise
        except BaseException:
            discard(self.objects, stored.key)
            raise
        return public(saved)

    def list(
        self, q: str | None, fmt: str | None, created_by: str | None, sort: str, limit: int, cursor: str | None
    ) -> Page:
        flt: dict[str, Any] = {}
        if q:
            flt["search_text"] = {"$contains": q.lower()}
        if fmt:
            flt["format"] = fmt
        if created_by:
            flt["created_by"] = created_by
        field = SORTS[sort.lstrip("-")]
        page = self.datasets.list(flt, [(field, -1 if sort.startswith("-") else 1)], limit, cursor)
        page.items = [public(doc) for doc in page.items]
        return page

    def get(self, dataset_id: str) -> dict[str, Any]:
        return public(self.datasets.get(dataset_id))

    def download(self, dataset_id: str, range_header: str | None):
        doc = self.datasets.get(dataset_id)
        return object_response(
            self.objects,
            doc["object_key"],
            doc["size"],
            doc["sha256"],
            doc["filename"],
            doc["content_type"],
            range_header,
        )

    def delete(self, actor: Principal, dataset_id: str) -> None:
        doc = self.datasets.get(dataset_id)
        users = self.metadata.count(DEPLOYMENTS, {"dataset_id": dataset_id})
        if users:
            raise Conflict(
                f"dataset {doc['name']!r} is used by {users} deployment(s); change or delete them first",
                details={"field": "dataset_id", "deployments": users},
            )
        self.datasets.delete(doc)
        self.audit.record(actor, "dataset.delete", "dataset", dataset_id, public(doc), None)
        discard(self.objects, doc["object_key"])
