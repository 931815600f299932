"""MongoDB metadata store (pymongo). Also runs on FerretDB, which speaks the same wire protocol.

Timeouts are short on purpose: a metadata server that is down answers 503 within seconds
instead of hanging a request, and the client reconnects by itself when it is back.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pymongo
from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from modelhub.errors import DependencyUnavailable, DuplicateKey, NotFound, StaleVersion
from modelhub.stores.metadata.base import CollectionSpec, MetadataStore

CLAIMS = "_claims"
CLAIM_TTL_S = 30.0
MAX_ATTEMPTS = 20


# MongoDB (and FerretDB more strictly) refuse field names that start with "$" or hold a ".", which
# user JSON does hold (JSON Schema's "$schema", column names such as "petal.width"). Keys nested in
# a document's values are percent-escaped on the way in and restored on the way out.
ESCAPED_KEY = re.compile(r"^\$|[.%\x00]")


def _escape_key(key: str) -> str:
    if not ESCAPED_KEY.search(key):
        return key
    key = key.replace("%", "%25").replace(".", "%2E").replace("\x00", "%00")
    return "%24" + key[1:] if key.startswith("$") else key


def _unescape_key(key: str) -> str:
    if "%" not in key:
        return key
    return key.replace("%24", "$").replace("%2E", ".").replace("%00", "\x00").replace("%25", "%")


def _map_keys(value: Any, rename) -> Any:
    if isinstance(value, Mapping):
        return {rename(k) if isinstance(k, str) else k: _map_keys(v, rename) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_map_keys(item, rename) for item in value]
    return value


def encode_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level names are the store's own fields; only what they hold is user data."""
    return {key: _map_keys(value, _escape_key) for key, value in doc.items()}


def decode_document(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    return {key: _map_keys(value, _unescape_key) for key, value in doc.items()}


def to_mongo_filter(flt: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in flt.items():
        if key in ("$and", "$or"):
            result[key] = [to_mongo_filter(sub) for sub in value]
        elif isinstance(value, Mapping):
            ops = {}
            for op, operand in value.items():
                if op == "$contains":
                    ops["$regex"] = re.escape(operand)
                    ops["$options"] = "i"
                else:
                    ops[op] = list(operand) if op == "$in" else operand
            result[key] = ops
        else:
            result[key] = value
    return result


class MongoMetadataStore(MetadataStore):
    def __init__(self, uri: str, timeout_s: float = 3.0, database: str | None = None):
        super().__init__()
        timeout_ms = int(timeout_s * 1000)
        self.client: MongoClient = MongoClient(
            uri,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms * 2,
            uuidRepresentation="standard",
            tz_aware=True,
        )
        self.db = self.client[database or self.client.get_default_database("modelhub").name]
        self._unique_fields: dict[str, tuple[str, ...]] = {}

    def _call(self, work, collection: str | None = None, doc: Mapping[str, Any] | None = None):
        try:
            return work()
        except DuplicateKeyError as exc:
            raise self._duplicate(exc, collection, doc) from exc
        except OperationFailure as exc:
            if "UNIQUE constraint failed" in str(exc):  # FerretDB's findAndModify reports it this way
                raise self._duplicate(exc, collection, doc) from exc
            raise DependencyUnavailable(self.component, f"metadata store error: {exc}") from exc
        except PyMongoError as exc:
            raise DependencyUnavailable(self.component, f"metadata store unavailable: {exc}") from exc

    def _duplicate(self, exc: OperationFailure, collection: str | None, doc: Mapping[str, Any] | None) -> DuplicateKey:
        details = exc.details or {}
        fields: tuple[str, ...] = tuple(details.get("keyPattern") or ())
        message = str(details.get("errmsg") or exc)
        if not fields:
            fields = next((f for name, f in self._unique_fields.items() if f" {name} " in message + " "), ())
        if not fields and collection and doc is not None:
            # FerretDB does not name the index: find the unique index whose values another document holds.
            for index in self.spec(collection).indexes:
                if not index.unique or any(f not in doc for f in index.fields):
                    continue
                query = {f: doc[f] for f in index.fields} | {"_id": {"$ne": doc.get("_id")}}
                with contextlib.suppress(PyMongoError):
                    if self.db[collection].find_one(query, projection={"_id": True}) is not None:
                        fields = index.fields
                        break
        names = ", ".join(fields) or "a unique field"
        return DuplicateKey(f"another record already has this {names}", details={"fields": list(fields)})

    def _create_collection(self, spec: CollectionSpec) -> None:
        collection = self.db[spec.name]

        def work():
            for index in spec.indexes:
                keys = [(f, pymongo.ASCENDING) for f in index.fields]
                collection.create_index(keys, name=index.name, unique=index.unique)
                if index.unique:
                    self._unique_fields[index.name] = index.fields

        self._call(work)

    def _insert(self, collection: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        self._call(lambda: self.db[collection].insert_one(encode_document(doc)), collection, doc)
        return doc

    def _get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        return decode_document(self._call(lambda: self.db[collection].find_one({"_id": doc_id})))

    # FerretDB v1 evaluates findAndModify and conditional updates as read-then-write without a
    # transaction, so two concurrent writers can both "win". Unique inserts are atomic there as
    # in MongoDB, so each version bump and counter step first claims its new value as a unique key.
    def _claim(self, key: str, expires: bool) -> bool:
        claims = self.db[CLAIMS]
        try:
            self._call(lambda: claims.insert_one({"_id": key, "at": time.time()}))
            return True
        except DuplicateKey:
            if not expires:
                return False
        held = self._call(lambda: claims.find_one({"_id": key}))
        if held is not None and time.time() - held.get("at", 0) > CLAIM_TTL_S:
            # abandoned by a writer that died between its claim and its write
            self._call(lambda: claims.delete_one({"_id": key, "at": held["at"]}))
        return False

    def _update(
        self,
        collection: str,
        doc_id: str,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
        unset: Sequence[str] = (),
    ) -> dict[str, Any]:
        update: dict[str, Any] = {"$set": encode_document(changes)}
        if unset:
            update["$unset"] = {name: "" for name in unset}
        for _ in range(MAX_ATTEMPTS):
            current = self._get(collection, doc_id)
            if current is None:
                raise NotFound(f"{collection} {doc_id} not found")
            version = current["_version"]
            if expected_version is not None and version != expected_version:
                raise StaleVersion(
                    "the record was changed by someone else; reload it and apply your edit again",
                    details={"expected_version": expected_version, "current_version": version},
                )
            claim = f"{collection}/{doc_id}/_version/{version + 1}"
            if not self._claim(claim, expires=True):
                continue
            update["$set"]["_version"] = version + 1
            try:
                updated = self._call(
                    lambda: self.db[collection].find_one_and_update(
                        {"_id": doc_id, "_version": version},  # noqa: B023 - called at once
                        update,
                        return_document=ReturnDocument.AFTER,
                    ),
                    collection,
                    {"_id": doc_id, **changes},
                )
            finally:
                with contextlib.suppress(PyMongoError):
                    self.db[CLAIMS].delete_one({"_id": claim})
            if updated is not None:
                return decode_document(updated)
        raise StaleVersion("the record is being changed by others right now; reload it and try again")

    def _increment(self, collection: str, doc_id: str, field_name: str, amount: int = 1) -> int:
        """Claims are kept: each records a value already handed out, so no reader can take it again."""
        for _ in range(MAX_ATTEMPTS * 5):
            current = self._get(collection, doc_id)
            if current is None:
                raise NotFound(f"{collection} {doc_id} not found")
            value = (current.get(field_name) or 0) + amount
            won = self._claim(f"{collection}/{doc_id}/{field_name}/{value}", expires=False)
            # Move the stored counter up to the claimed value (ours, or the one that beat us).
            self._call(
                lambda: self.db[collection].update_one(
                    {"_id": doc_id, "$or": [{field_name: {"$lt": value}}, {field_name: None}]},  # noqa: B023
                    {"$set": {field_name: value}},  # noqa: B023
                )
            )
            if won:
                return value
        raise DependencyUnavailable(self.component, "too many concurrent increments; try again")

    def _delete(self, collection: str, doc_id: str, expected_version: int | None = None) -> bool:
        query: dict[str, Any] = {"_id": doc_id}
        if expected_version is not None:
            query["_version"] = expected_version
        deleted = self._call(lambda: self.db[collection].delete_one(query).deleted_count)
        if not deleted and expected_version is not None and self._get(collection, doc_id) is not None:
            raise StaleVersion("the record was changed by someone else; reload it before deleting")
        return deleted > 0

    def _delete_many(self, collection: str, flt: Mapping[str, Any]) -> int:
        return self._call(lambda: self.db[collection].delete_many(to_mongo_filter(flt)).deleted_count)

    def _find(self, collection: str, flt: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> list:
        docs = self._call(lambda: list(self.db[collection].find(to_mongo_filter(flt), sort=sort, limit=limit)))
        return [decode_document(doc) for doc in docs]

    def _count(self, collection: str, flt: dict[str, Any]) -> int:
        return self._call(lambda: self.db[collection].count_documents(to_mongo_filter(flt)))

    def _facet_counts(self, collection: str, field_name: str, flt: dict[str, Any]) -> dict[Any, int]:
        pipeline: list[dict[str, Any]] = [{"$match": to_mongo_filter(flt)}] if flt else []
        if field_name in self.spec(collection).multikey_fields:
            pipeline.append({"$unwind": f"${field_name}"})
        pipeline += [
            {"$match": {field_name: {"$ne": None}}},
            {"$group": {"_id": f"${field_name}", "count": {"$sum": 1}}},
        ]
        rows = self._call(lambda: list(self.db[collection].aggregate(pipeline)))
        return {row["_id"]: row["count"] for row in rows}

    def _ping(self) -> None:
        self._call(lambda: self.db.command("ping"))

    def drop_database(self) -> None:
        self._call(lambda: self.client.drop_database(self.db.name))

    def close(self) -> None:
        self.client.close()
