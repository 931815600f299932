"""Streamed downloads with Content-Length, checksums and single HTTP byte ranges."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

from fastapi.responses import StreamingResponse

from modelhub.errors import RangeNotSatisfiable
from modelhub.stores.objects import ObjectStore

RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked for, None for the whole object.

    Other units and multi-range requests are ignored (RFC 9110 lets a server answer those with the
    whole representation); a `bytes=` range that is malformed or starts past the end is refused.
    """
    if not header or not header.strip().lower().startswith("bytes") or "," in header:
        return None
    match = RANGE_RE.match(header)
    refused = RangeNotSatisfiable(
        f"cannot serve range {header[:100]!r} of a {size}-byte file",
        details={"field": "range", "size": size},
        headers={"Content-Range": f"bytes */{size}"},
    )
    if not match or not (match.group(1) or match.group(2)):
        raise refused
    first, last = match.group(1), match.group(2)
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise refused
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise refused
    return start, end


def content_disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()+@,-]", "_", filename) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def object_response(
    store: ObjectStore,
    key: str,
    size: int,
    sha256: str,
    filename: str,
    content_type: str | None,
    range_header: str | None,
) -> StreamingResponse:
    byte_range = parse_range(range_header, size)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{sha256}"',
        "X-Checksum-SHA256": sha256,
        # the checksum of the whole file, also on partial responses (RFC 3230 Digest, base64)
        "Digest": "sha-256=" + base64.b64encode(bytes.fromhex(sha256)).decode(),
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
    }
    media_type = content_type or "application/octet-stream"
    if byte_range is None:
        headers["Content-Length"] = str(size)
        chunks = store.get(key) if size else iter(())
        return StreamingResponse(chunks, media_type=media_type, headers=headers)
    start, end = byte_range
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return StreamingResponse(store.get(key, start, end), status_code=206, media_type=media_type, headers=headers)
