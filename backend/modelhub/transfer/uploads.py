"""One file plus form fields from a multipart body, the file streamed into the object store.

The file is written under its final key as it arrives (the store makes it visible only once
complete); if anything fails afterwards — a cut body, a bad field, a refused record — `discard`
removes it, so a failed upload leaves no object behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import structlog

from modelhub.errors import ModelHubError, ValidationFailed
from modelhub.stores.objects import ObjectInfo, ObjectStore
from modelhub.transfer.multipart import FilePart, FormField, clean_content_type

log = structlog.get_logger()


@dataclass
class StoredFile:
    key: str
    info: ObjectInfo
    filename: str | None
    content_type: str | None


def discard(store: ObjectStore, key: str | None) -> None:
    """Best-effort removal of an object written for an upload that then failed."""
    if key is None:
        return
    try:
        store.delete(key)
    except (ModelHubError, OSError) as exc:
        log.warning("could not remove the object of a failed upload", key=key, error=str(exc))


def receive(
    parts: Iterable[FormField | FilePart],
    store: ObjectStore,
    allowed_fields: Iterable[str],
    key_for: Callable[[FilePart, dict[str, str]], str],
    max_size: int,
) -> tuple[dict[str, str], StoredFile]:
    """Form fields by name, and the file of the field `file`, stored under `key_for(part, fields so far)`."""
    allowed = set(allowed_fields)
    fields: dict[str, str] = {}
    stored: StoredFile | None = None
    key: str | None = None
    try:
        for part in parts:
            if isinstance(part, FilePart):
                if part.name != "file":
                    raise ValidationFailed(
                        f"unexpected file in field {part.name!r}: send the file in the field 'file'",
                        details={"field": part.name},
                    )
                if stored is not None:
                    raise ValidationFailed("send exactly one file per upload", details={"field": "file"})
                key = key_for(part, fields)
                content_type = clean_content_type(part.content_type)
                info = store.put(key, part.chunks, content_type, max_size=max_size)
                stored = StoredFile(key, info, part.filename, content_type)
            elif part.name not in allowed:
                raise ValidationFailed(
                    f"unknown form field {part.name!r} (expected: file, {', '.join(sorted(allowed))})",
                    details={"field": part.name},
                )
            elif part.name in fields:
                raise ValidationFailed(f"form field {part.name!r} is sent twice", details={"field": part.name})
            else:
                fields[part.name] = part.value
        if stored is None:
            raise ValidationFailed("no file: send it in the multipart field 'file'", details={"field": "file"})
        if stored.info.size == 0:
            raise ValidationFailed("the file is empty", details={"field": "file"})
    except BaseException:
        discard(store, key)
        raise
    return fields, stored
