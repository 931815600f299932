"""What a job gets: its execution's inputs (from the claim), the object store, the API, the settings.

A multi-step job (one Airflow task per step) shares state between its steps through a private
work area of the execution in the object store, `executions/<id>/work/`: the claimed inputs, each
step's report, and whatever data a step hands to the next (Parquet splits, a trained model).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelhub.config import Settings
from modelhub.jobs.api import JobAPI
from modelhub.stores.objects import ObjectInfo, ObjectStore
from modelhub.stores.objects.base import CHUNK_SIZE


def result_entry(name: str, info: ObjectInfo, content_type: str, **extra: Any) -> dict[str, Any]:
    """How a job reports one of its result files."""
    return {"name": name, "size": info.size, "sha256": info.sha256, "content_type": content_type, **extra}


@dataclass
class JobContext:
    execution_id: str
    inputs: dict[str, Any]
    objects: ObjectStore
    api: JobAPI
    settings: Settings = field(default_factory=Settings)
    kind: str = ""
    step: str = ""

    @property
    def params(self) -> dict[str, Any]:
        return self.inputs.get("params") or {}

    @property
    def results_prefix(self) -> str:
        return self.inputs.get("results_prefix") or f"executions/{self.execution_id}/results/"

    @contextlib.contextmanager
    def download(self, key: str, suffix: str = "") -> Iterator[Path]:
        """An object copied to a private temporary file, streamed (never whole in memory)."""
        fd, name = tempfile.mkstemp(prefix="modelhub-job-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self.objects.get(key):
                    out.write(chunk)
            yield Path(name)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)

    def upload_result(self, name: str, path: Path, content_type: str) -> ObjectInfo:
        def chunks() -> Iterator[bytes]:
            with path.open("rb") as source:
                while chunk := source.read(CHUNK_SIZE):
                    yield chunk

        return self.objects.put(self.results_prefix + name, chunks(), content_type=content_type)

    def upload_result_bytes(self, name: str, data: bytes, content_type: str) -> ObjectInfo:
        return self.objects.put_bytes(self.results_prefix + name, data, content_type=content_type)

    # -- the work area shared by the steps of one execution -------------------------------------
    @property
    def work_prefix(self) -> str:
        return f"executions/{self.execution_id}/work/"

    def put_work_json(self, name: str, value: Any) -> None:
        data = json.dumps(value, allow_nan=False, default=str).encode()
        self.objects.put_bytes(self.work_prefix + name, data, content_type="application/json")

    def get_work_json(self, name: str) -> Any | None:
        if self.objects.head(self.work_prefix + name) is None:
            return None
        return json.loads(self.objects.read_bytes(self.work_prefix + name))

    def put_work_file(self, name: str, path: Path) -> ObjectInfo:
        def chunks() -> Iterator[bytes]:
            with path.open("rb") as source:
                while chunk := source.read(CHUNK_SIZE):
                    yield chunk

        return self.objects.put(self.work_prefix + name, chunks())

    def clear_work(self) -> None:
        with contextlib.suppress(Exception):  # leftovers cost space, not correctness
            self.objects.delete_prefix(self.work_prefix)

    # -- metrics store --------------------------------------------------------------------------
    def labels(self, **extra: Any) -> dict[str, str]:
        execution = self.inputs.get("execution") or {}
        deployment_id = execution.get("deployment_id") or ""
        base = {"execution_id": self.execution_id, "deployment_id": deployment_id, "kind": self.kind}
        return {**base, **{k: "" if v is None else str(v) for k, v in extra.items()}}

    def write_metrics(self, points: list[Any]) -> None:
        """Points to the metrics store; a store that is down costs the points, not the job's result."""
        if not points:
            return
        try:
            from modelhub.stores.metrics import open_metrics_store

            store = open_metrics_store(self.settings.metrics_uri)
            try:
                store.write(points)
            finally:
                with contextlib.suppress(Exception):
                    store.close()
        except Exception as exc:  # noqa: BLE001
            print(f"WARNING: could not write {len(points)} metric point(s) to the metrics store: {exc}", flush=True)
