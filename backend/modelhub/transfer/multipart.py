"""Streaming multipart/form-data: parts come out one by one while the body is still arriving.

The request body is pulled chunk by chunk from the event loop by the worker thread that runs the
endpoint, fed to python-multipart's callback parser, and a file part is handed on as an iterator
of chunks, so a caller can pipe it straight into `ObjectStore.put` without the file ever being
held in memory or spooled to disk.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import anyio.from_thread
from pydantic import BaseModel, ValidationError
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from modelhub.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from modelhub.stores.objects.base import CHUNK_SIZE

MAX_FIELD_BYTES = 64 * 1024  # form fields are small JSON or text; files go in file parts
MAX_PARTS = 32
MULTIPART_OVERHEAD = 1024 * 1024  # what boundaries and small fields may add to a body beyond the file itself


@dataclass
class FormField:
    name: str
    value: str


@dataclass
class FilePart:
    name: str
    filename: str | None
    content_type: str | None
    chunks: Iterator[bytes]  # consume (or leave) before asking for the next part


def request_body(request: Request) -> Iterator[bytes]:
    """The body of a request, for code running in a worker thread (a sync endpoint)."""
    stream = request.stream()
    try:
        while True:
            try:
                chunk = anyio.from_thread.run(stream.__anext__)
            except StopAsyncIteration:
                return
            except ClientDisconnect as exc:
                raise BadRequest("the client went away before the upload finished", details={"field": "file"}) from exc
            if chunk:
                yield chunk
    finally:
        with contextlib.suppress(RuntimeError):  # outside a worker thread the loop finalises it
            anyio.from_thread.run(stream.aclose)


def check_upload_request(request: Request, max_file_bytes: int) -> None:
    """Refuse early what can be refused from the headers alone, before any byte is read or stored."""
    boundary_of(request.headers.get("content-type", ""))
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_file_bytes + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(
            f"the upload is larger than the limit of {max_file_bytes} bytes",
            details={"field": "file", "limit": max_file_bytes},
        )


def header_options(value: str, field: str) -> tuple[bytes, dict[bytes, bytes]]:
    """parse_options_header, with a header it cannot encode (non-Latin-1) reported as bad input."""
    try:
        return parse_options_header(value)
    except (UnicodeError, ValueError) as exc:
        raise BadRequest(f"the {field} header is malformed: {exc}", details={"field": field}) from exc


def boundary_of(content_type: str) -> bytes:
    kind, options = header_options(content_type, "content-type")
    boundary = options.get(b"boundary", b"")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType(
            "send the upload as multipart/form-data with the file in the field 'file'",
            details={"field": "content-type", "received": content_type[:100] or None},
        )
    return boundary


def display_filename(raw: str | None) -> str | None:
    """The client's file name without any directory part or control characters, for records and headers."""
    if not raw:
        return None
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()[:255]
    return base or None


def safe_filename(raw: str | None, default: str) -> str:
    """A file name that is also a valid object-key segment (see stores.objects.base.check_key)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.()=+@,-]", "_", display_filename(raw) or "").lstrip("._")[:200]
    return cleaned or default


class MultipartReader:
    """Iterate the parts of a multipart body: `FormField` values, and `FilePart` streams.

    A body that ends before its closing boundary (a cut upload) raises BadRequest naming the part
    it was in, so a caller storing a file part sees the error from inside its `put` and keeps nothing.
    """

    def __init__(
        self,
        body: Iterable[bytes],
        content_type: str,
        file_fields: tuple[str, ...] = ("file",),
        max_field_bytes: int = MAX_FIELD_BYTES,
        max_parts: int = MAX_PARTS,
    ):
        self._body = body
        self._file_fields = file_fields
        self._max_field_bytes = max_field_bytes
        self._max_parts = max_parts
        self._events: deque[tuple] = deque()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, str] = {}
        self._complete = False
        self._current = "body"
        self._parser = MultipartParser(
            boundary_of(content_type),
            {
                "on_part_begin": lambda: self._events.append(("begin",)),
                "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
                "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": lambda data, start, end: self._events.append(("data", bytes(data[start:end]))),
                "on_part_end": lambda: self._events.append(("end",)),
                "on_end": self._end,
            },
        )

    # -- parser callbacks ----------------------------------------------------------------------
    def _header_end(self) -> None:
        name = self._header_name.decode("latin-1").strip().lower()
        self._headers[name] = self._header_value.decode("utf-8", errors="replace").strip()
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        self._events.append(("headers", self._headers))
        self._headers = {}

    def _end(self) -> None:
        self._complete = True

    # -- iteration -----------------------------------------------------------------------------
    def _stream(self) -> Iterator[tuple]:
        for chunk in self._body:
            try:
                self._parser.write(chunk)
            except MultipartParseError as exc:
                raise BadRequest(f"the multipart body is malformed: {exc}", details={"field": self._current}) from exc
            while self._events:
                yield self._events.popleft()
        self._parser.finalize()
        while self._events:
            yield self._events.popleft()
        if not self._complete:
            raise BadRequest(
                "the upload was cut short: the multipart body ends before its closing boundary",
                details={"field": self._current},
            )

    @staticmethod
    def _data(events: Iterator[tuple]) -> Iterator[bytes]:
        """One part's data, in chunks of about CHUNK_SIZE (the stores write fewer, larger pieces)."""
        buffer = bytearray()
        for event in events:
            if event[0] == "end":
                break
            if event[0] == "data":
                buffer.extend(event[1])
                if len(buffer) >= CHUNK_SIZE:
                    yield bytes(buffer)
                    buffer.clear()
        if buffer:
            yield bytes(buffer)

    def __iter__(self) -> Iterator[FormField | FilePart]:
        events = self._stream()
        count = 0
        for event in events:
            if event[0] != "headers":
                continue
            count += 1
            if count > self._max_parts:
                raise BadRequest(f"too many parts (more than {self._max_parts})", details={"field": "body"})
            headers: dict[str, str] = event[1]
            _, options = header_options(headers.get("content-disposition", ""), "content-disposition")
            name = options.get(b"name", b"").decode("utf-8", errors="replace")
            if not name:
                raise BadRequest("a part of the multipart body has no name", details={"field": "body"})
            self._current = name
            if b"filename" in options or name in self._file_fields:
                filename = options.get(b"filename", b"").decode("utf-8", errors="replace")
                part = FilePart(
                    name, display_filename(filename), headers.get("content-type") or None, self._data(events)
                )
                yield part
                for _ in part.chunks:  # skip whatever the consumer left unread
                    pass
            else:
                yield FormField(name, self._field_value(name, self._data(events)))
            self._current = "body"

    def _field_value(self, name: str, chunks: Iterator[bytes]) -> str:
        value = bytearray()
        for chunk in chunks:
            value.extend(chunk)
            if len(value) > self._max_field_bytes:
                raise PayloadTooLarge(
                    f"form field {name!r} is longer than {self._max_field_bytes} bytes", details={"field": name}
                )
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"form field {name!r} is not UTF-8 text", details={"field": name}) from exc


def clean_content_type(raw: str | None) -> str | None:
    """A part's declared media type if it is a plain `type/subtype`; it is echoed back on download."""
    value = (raw or "").split(";", 1)[0].strip().lower()
    return value if re.fullmatch(r"[a-z0-9][a-z0-9.+-]{0,62}/[a-z0-9][a-z0-9.+-]{0,62}", value) else None


def validate_form(model: type[BaseModel], fields: dict[str, str]) -> BaseModel:
    """Form fields through a pydantic model; errors shaped like the app's request validation errors."""
    try:
        return model.model_validate({name: value for name, value in fields.items() if value != ""})
    except ValidationError as exc:
        details = [
            {
                "field": ".".join(str(p) for p in err["loc"]) or "body",
                "location": "form",
                "message": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors()
        ]
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        raise ValidationFailed(summary, details=details) from None
