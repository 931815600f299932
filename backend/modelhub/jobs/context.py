"""What a job gets: its execution's inputs (from the claim), the object store and the API."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelhub.jobs.api import JobAPI
from modelhub.stores.objects import ObjectInfo, ObjectStore
from modelhub.stores.objects.base import CHUNK_SIZE


@dataclass
class JobContext:
    execution_id: str
    inputs: dict[str, Any]
    objects: ObjectStore
    api: JobAPI

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
