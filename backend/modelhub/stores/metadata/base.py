"""The metadata interface: a small document store that MongoDB and the embedded SQLite store both do.

Documents are JSON objects with a string `_id` and an integer `_version` bumped on every update.
Filters use a MongoDB-shaped subset, validated here once for every backend:

    {"field": value}                       equality (a list field matches when it contains value)
    {"field": {"$in": [...]}}              also $ne, $gt, $gte, $lt, $lte
    {"field": {"$contains": "text"}}       case-insensitive substring
    {"$and": [filter, ...]}, {"$or": [...]}

Pagination is by keyset cursor, so page N costs the same as page 1 and inserts between pages do
not duplicate or skip items. Unique fields must always be present in documents (MongoDB and
SQLite disagree on how unique indexes treat missing values).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from modelhub.errors import BadRequest

Filter = Mapping[str, Any]
Sort = Sequence[tuple[str, int]]  # (field, 1 ascending | -1 descending)

COMPARISON_OPERATORS = frozenset({"$eq", "$ne", "$in", "$gt", "$gte", "$lt", "$lte", "$contains"})
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Index:
    fields: tuple[str, ...]
    unique: bool = False
    multikey: bool = False  # the single field holds a list of scalars (tags)

    def __post_init__(self):
        if self.multikey and (len(self.fields) != 1 or self.unique):
            raise ValueError("a multikey index has exactly one field and is not unique")

    @property
    def name(self) -> str:
        return "ix_" + "_".join(f.replace(".", "_") for f in self.fields)


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    total: int | None = None


@dataclass
class CollectionSpec:
    name: str
    indexes: list[Index] = field(default_factory=list)

    @property
    def multikey_fields(self) -> set[str]:
        return {ix.fields[0] for ix in self.indexes if ix.multikey}


def new_id() -> str:
    return uuid.uuid4().hex


def validate_filter(flt: Filter | None) -> None:
    """Reject anything outside the shared subset, so both backends see only what both support."""
    if flt is None:
        return
    if not isinstance(flt, Mapping):
        raise BadRequest("a filter must be an object")
    for key, value in flt.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list | tuple) or not value:
                raise BadRequest(f"{key} takes a non-empty list of filters")
            for sub in value:
                validate_filter(sub)
        elif key.startswith("$"):
            raise BadRequest(f"unsupported filter operator {key}")
        elif isinstance(value, Mapping):
            for op, operand in value.items():
                if op not in COMPARISON_OPERATORS:
                    raise BadRequest(f"unsupported operator {op} on {key}")
                if op == "$in" and not isinstance(operand, list | tuple):
                    raise BadRequest(f"$in on {key} takes a list")
                if op == "$contains" and not isinstance(operand, str):
                    raise BadRequest(f"$contains on {key} takes a string")


def full_sort(sort: Sort | None) -> list[tuple[str, int]]:
    """The requested sort plus `_id` as the tie-breaker that makes keyset pages exact."""
    result = []
    for name, direction in sort or ():
        if direction not in (1, -1):
            raise BadRequest(f"sort direction for {name} must be 1 or -1")
        if name != "_id":
            result.append((name, direction))
    id_direction = next((d for n, d in sort or () if n == "_id"), 1)
    result.append(("_id", id_direction))
    return result


def lookup(doc: Mapping[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def encode_cursor(doc: Mapping[str, Any], sort: list[tuple[str, int]]) -> str:
    values = [lookup(doc, name) for name, _ in sort]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: list[tuple[str, int]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise BadRequest("cursor is not valid", details={"field": "cursor"}) from exc
    if not isinstance(values, list) or len(values) != len(sort):
        raise BadRequest("cursor does not belong to this sort order", details={"field": "cursor"})
    return values


def after_cursor_filter(values: list[Any], sort: list[tuple[str, int]]) -> dict[str, Any]:
    """Documents strictly after the cursor position in sort order (nulls sort first, as in both stores)."""
    branches = []
    for i, (name, direction) in enumerate(sort):
        equal_prefix = [{n: values[j]} for j, (n, _) in enumerate(sort[:i])]
        value = values[i]
        if value is None:
            if direction == -1:
                continue  # nothing sorts below null when descending
            beyond = {name: {"$ne": None}}
        elif direction == 1:
            beyond = {name: {"$gt": value}}
        else:  # nulls come last when descending; comparisons never match them
            beyond = {"$or": [{name: {"$lt": value}}, {name: None}]}
        branches.append({"$and": [*equal_prefix, beyond]})
    if not branches:
        return {"_id": {"$in": []}}
    return {"$or": branches}


class MetadataStore(ABC):
    """The interface the application uses; see the module docstring for the filter language.

    Collections are registered without I/O and created (with their indexes) before the first
    operation that reaches the server, so the API starts even when the server is down and
    sets the collections up as soon as it is back.
    """

    component = "metadata"
    # True when reads answer from a local file in microseconds, never over a network: code on the
    # event loop may then read without a thread hop (online predictions do)
    reads_inline = False

    def __init__(self):
        self.collections: dict[str, CollectionSpec] = {}
        self._pending: list[CollectionSpec] = []
        self._prepare_lock = threading.Lock()  # request threads and background loops race to it

    def register(self, name: str, indexes: Sequence[Index] = ()) -> None:
        spec = CollectionSpec(name, list(indexes))
        self.collections[name] = spec
        self._pending.append(spec)

    def ensure_collection(self, name: str, indexes: Sequence[Index] = ()) -> None:
        self.register(name, indexes)
        self._prepare()

    def _prepare(self) -> None:
        if not self._pending:
            return
        with self._prepare_lock:
            while self._pending:
                self._create_collection(self._pending[0])
                self._pending.pop(0)

    def spec(self, name: str) -> CollectionSpec:
        return self.collections.get(name) or CollectionSpec(name)

    # -- the interface -------------------------------------------------------------------------
    def insert(self, collection: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Store a new document (an `_id` is assigned when missing); DuplicateKey names the field."""
        self._prepare()
        return self._insert(collection, {**doc, "_id": doc.get("_id") or new_id(), "_version": 1})

    def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        self._prepare()
        return self._get(collection, doc_id)

    def update(
        self,
        collection: str,
        doc_id: str,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
        unset: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Set top-level fields; NotFound, StaleVersion when `expected_version` is not current."""
        self._prepare()
        changes = {k: v for k, v in changes.items() if k not in ("_id", "_version")}
        return self._update(collection, doc_id, changes, expected_version, unset)

    def increment(self, collection: str, doc_id: str, field_name: str, amount: int = 1) -> int:
        """Atomically add to a counter field and return its new value (does not bump `_version`)."""
        self._prepare()
        return self._increment(collection, doc_id, field_name, amount)

    def delete(self, collection: str, doc_id: str, expected_version: int | None = None) -> bool:
        self._prepare()
        return self._delete(collection, doc_id, expected_version)

    def delete_many(self, collection: str, flt: Filter) -> int:
        validate_filter(flt)
        self._prepare()
        return self._delete_many(collection, dict(flt))

    def find(
        self,
        collection: str,
        flt: Filter | None = None,
        sort: Sort | None = None,
        limit: int = 50,
        cursor: str | None = None,
        with_total: bool = False,
    ) -> Page:
        validate_filter(flt)
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", details={"field": "limit"})
        order = full_sort(sort)
        effective = dict(flt or {})
        if cursor:
            position = after_cursor_filter(decode_cursor(cursor, order), order)
            effective = {"$and": [effective, position]} if effective else position
        self._prepare()
        items = self._find(collection, effective, order, limit + 1)
        next_cursor = encode_cursor(items[limit - 1], order) if len(items) > limit else None
        total = self._count(collection, dict(flt or {})) if with_total else None
        return Page(items[:limit], next_cursor, total)

    def find_one(self, collection: str, flt: Filter) -> dict[str, Any] | None:
        validate_filter(flt)
        self._prepare()
        items = self._find(collection, dict(flt), full_sort(None), 1)
        return items[0] if items else None

    def count(self, collection: str, flt: Filter | None = None) -> int:
        validate_filter(flt)
        self._prepare()
        return self._count(collection, dict(flt or {}))

    def facet_counts(self, collection: str, field_name: str, flt: Filter | None = None) -> dict[Any, int]:
        """How many documents have each value of a field (each element, for a list field)."""
        validate_filter(flt)
        self._prepare()
        return self._facet_counts(collection, field_name, dict(flt or {}))

    def ping(self) -> None:
        """Raise DependencyUnavailable when the store cannot answer; set up pending collections."""
        self._ping()
        self._prepare()

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        pass

    # -- per backend ---------------------------------------------------------------------------
    @abstractmethod
    def _create_collection(self, spec: CollectionSpec) -> None: ...

    @abstractmethod
    def _insert(self, collection: str, doc: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def _get(self, collection: str, doc_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _update(
        self,
        collection: str,
        doc_id: str,
        changes: dict[str, Any],
        expected_version: int | None,
        unset: Sequence[str],
    ) -> dict[str, Any]: ...

    @abstractmethod
    def _increment(self, collection: str, doc_id: str, field_name: str, amount: int) -> int: ...

    @abstractmethod
    def _delete(self, collection: str, doc_id: str, expected_version: int | None) -> bool: ...

    @abstractmethod
    def _delete_many(self, collection: str, flt: dict[str, Any]) -> int: ...

    @abstractmethod
    def _find(self, collection: str, flt: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> list: ...

    @abstractmethod
    def _count(self, collection: str, flt: dict[str, Any]) -> int: ...

    @abstractmethod
    def _facet_counts(self, collection: str, field_name: str, flt: dict[str, Any]) -> dict[Any, int]: ...

    @abstractmethod
    def _ping(self) -> None: ...
