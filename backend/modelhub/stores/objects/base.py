"""The object-store interface: streamed, checksummed, atomic writes and ranged reads.

A `put` consumes an iterable of byte chunks, so no caller ever holds a whole file in memory;
the object appears under its key only when complete (a failed or oversized upload leaves
nothing behind), and its sha256 is computed on the way through.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from modelhub.errors import BadRequest, PayloadTooLarge

CHUNK_SIZE = 1024 * 1024
KEY_RE = re.compile(r"^[A-Za-z0-9!_.*'()=+@,-]+(/[A-Za-z0-9!_.*'()=+@,-]+)*$")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str | None = None
    content_type: str | None = None
    modified: datetime | None = None


def check_key(key: str) -> str:
    """Keys are relative, '/'-separated, with no empty, '.' or '..' segment (no path traversal)."""
    if not isinstance(key, str) or not key or len(key) > 1024 or not KEY_RE.match(key):
        raise BadRequest(f"invalid object key {key!r}", details={"field": "key"})
    if any(part in (".", "..") or part.startswith(".") for part in key.split("/")):
        raise BadRequest(f"invalid object key {key!r}", details={"field": "key"})
    return key


class SourceFailed(Exception):
    """The caller's stream broke (client went away); kept apart from the store's own failures."""


class HashingReader:
    """Wraps chunks as a file-like reader that hashes, counts and enforces a size limit."""

    def __init__(self, chunks: Iterable[bytes], max_size: int | None = None):
        self._chunks = iter(chunks)
        self._buffer = b""
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.max_size = max_size

    def _account(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.max_size is not None and self.size > self.max_size:
            raise PayloadTooLarge(
                f"the file is larger than the limit of {self.max_size} bytes",
                details={"field": "file", "limit": self.max_size},
            )
        self.sha256.update(chunk)
        return chunk

    def _next(self) -> bytes | None:
        try:
            return next(self._chunks, None)
        except Exception as exc:
            raise SourceFailed(str(exc)) from exc

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self._next()) is not None:
            if chunk:
                yield self._account(chunk)

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = self._next()
            if chunk is None:
                break
            self._buffer += self._account(chunk)
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    @property
    def hexdigest(self) -> str:
        return self.sha256.hexdigest()


class ObjectStore(ABC):
    component = "objects"

    @abstractmethod
    def put(
        self,
        key: str,
        chunks: Iterable[bytes],
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> ObjectInfo:
        """Store (or atomically replace) an object from a stream of chunks; PayloadTooLarge past max_size."""

    @abstractmethod
    def get(self, key: str, start: int | None = None, end: int | None = None) -> Iterator[bytes]:
        """Stream an object, or the inclusive byte range [start, end]; NotFound when absent."""

    @abstractmethod
    def head(self, key: str) -> ObjectInfo | None: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object; deleting a missing key is not an error."""

    @abstractmethod
    def ping(self) -> None: ...

    def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> ObjectInfo:
        return self.put(key, [data], content_type)

    def read_bytes(self, key: str) -> bytes:
        return b"".join(self.get(key))

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list(prefix)]
        for key in keys:
            self.delete(key)
        return len(keys)
