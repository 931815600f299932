"""Objects in a local directory: data under `data/`, size/sha256/content type in `meta/` beside it.

Writes go to a temporary file in the same filesystem and are renamed into place, so readers
see either the old or the new object, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from modelhub.errors import DependencyUnavailable, NotFound
from modelhub.stores.objects.base import CHUNK_SIZE, HashingReader, ObjectInfo, ObjectStore, SourceFailed, check_key


class LocalObjectStore(ObjectStore):
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self.data_dir = self.root / "data"
        self.meta_dir = self.root / "meta"
        self.tmp_dir = self.root / "tmp"
        for path in (self.data_dir, self.meta_dir, self.tmp_dir):
            path.mkdir(parents=True, exist_ok=True)

    def _paths(self, key: str) -> tuple[Path, Path]:
        check_key(key)
        data = (self.data_dir / key).resolve()
        if not data.is_relative_to(self.data_dir):  # defence in depth behind check_key
            raise NotFound(f"object {key} not found")
        return data, self.meta_dir / (key + ".json")

    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> ObjectInfo:
        data_path, meta_path = self._paths(key)
        reader = HashingReader(chunks, max_size)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in reader:
                    out.write(chunk)
            info = ObjectInfo(key, reader.size, reader.hexdigest, content_type, datetime.now(UTC))
            data_path.parent.mkdir(parents=True, exist_ok=True)
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            self._write_meta(meta_path, info)
            os.replace(tmp_name, data_path)
        except SourceFailed as exc:
            Path(tmp_name).unlink(missing_ok=True)
            raise exc.__cause__ from None
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return info

    def _write_meta(self, meta_path: Path, info: ObjectInfo) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir)
        with os.fdopen(fd, "w") as out:
            json.dump({"size": info.size, "sha256": info.sha256, "content_type": info.content_type}, out)
        os.replace(tmp_name, meta_path)

    def get(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        data_path, _ = self._paths(key)
        try:
            handle = data_path.open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"object {key} not found") from exc
        except OSError as exc:
            raise DependencyUnavailable(self.component, f"object store error: {exc}") from exc
        return self._stream(handle, start, end)

    @staticmethod
    def _stream(handle, start: int | None, end: int | None) -> Iterator[bytes]:
        with handle:
            if start:
                handle.seek(start)
            remaining = None if end is None else end - (start or 0) + 1
            while remaining is None or remaining > 0:
                chunk = handle.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def head(self, key: str) -> ObjectInfo | None:
        data_path, meta_path = self._paths(key)
        try:
            stat = data_path.stat()
        except FileNotFoundError:
            return None
        meta = {}
        with contextlib.suppress(FileNotFoundError, ValueError):
            meta = json.loads(meta_path.read_text())
        return ObjectInfo(
            key,
            stat.st_size,
            meta.get("sha256"),
            meta.get("content_type"),
            datetime.fromtimestamp(stat.st_mtime, UTC),
        )

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        base = self.data_dir
        for path in sorted(base.rglob("*")):
            if path.is_file():
                key = path.relative_to(base).as_posix()
                if key.startswith(prefix):
                    info = self.head(key)
                    if info is not None:
                        yield info

    def delete(self, key: str) -> None:
        data_path, meta_path = self._paths(key)
        data_path.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)

    def ping(self) -> None:
        if not os.access(self.data_dir, os.W_OK):
            raise DependencyUnavailable(self.component, f"object directory {self.data_dir} is not writable")
