"""File-like views of stored objects, so standard parsers (zipfile, csv, pyarrow) read them in place.

`open_seekable` serves each read with a ranged get, so reading a zip's central directory or a
Parquet footer fetches only those bytes; `open_stream` reads an object front to back once.
Neither ever holds more than a buffer of the object in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from modelhub.stores.objects import ObjectStore

BUFFER_SIZE = 64 * 1024


class RangedObject(io.RawIOBase):
    def __init__(self, store: ObjectStore, key: str, size: int):
        self._store, self._key, self._size = store, key, size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._size - self._pos)
        if wanted <= 0:
            return 0
        filled = 0
        view = memoryview(buffer)
        for chunk in self._store.get(self._key, self._pos, self._pos + wanted - 1):
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
        self._pos += filled
        return filled


class ChunkStream(io.RawIOBase):
    """A forward-only reader over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def open_seekable(store: ObjectStore, key: str, size: int) -> io.BufferedReader:
    return io.BufferedReader(RangedObject(store, key, size), buffer_size=BUFFER_SIZE)


def open_stream(store: ObjectStore, key: str) -> io.BufferedReader:
    return io.BufferedReader(ChunkStream(iter(store.get(key))), buffer_size=BUFFER_SIZE)
