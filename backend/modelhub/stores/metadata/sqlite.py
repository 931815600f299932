"""Embedded metadata store: one SQLite table of JSON documents per collection.

Every indexed scalar field also lives in a column of its own, `"$field"`, holding exactly
`json_extract(doc, '$.field')` (written in the same statement as the document, from the same
JSON), with an ordinary index on it. Filters, sorts, counts and facets on those fields read the
column instead of parsing every document (a filtered count over 10,000 models: 4.5 ms before,
1.7 ms with the columns; docs/benchmarks.md). Tables made before the columns existed get them on open
(added and back-filled once; old expression indexes are replaced). Each process learns a table's
columns when it sets the collection up, so processes sharing one file should run the same code
(a column added later by a newer process would not be filled by an older one). Fields without an
index are still read with `json_extract`. List fields (tags) get a side table `<collection>__<field>` with
one row per element. WAL mode and one connection per thread make concurrent requests safe:
readers never block, writers take `BEGIN IMMEDIATE` and wait on the busy timeout.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from modelhub.errors import DependencyUnavailable, DuplicateKey, NotFound, StaleVersion
from modelhub.stores.metadata.base import CollectionSpec, MetadataStore

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
OPERATORS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
MMAP_BYTES = 1 << 30


def _casefold(value: Any) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _column(field_name: str) -> str:
    """The quoted column of an indexed field (field names are checked against FIELD_RE first)."""
    return f'"${field_name}"'


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class SQLiteMetadataStore(MetadataStore):
    reads_inline = True  # WAL: a read never waits for a writer

    def __init__(self, path: str | Path, timeout_s: float = 5.0):
        super().__init__()
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._unique_fields: dict[str, tuple[str, ...]] = {}
        self._columns: dict[str, tuple[str, ...]] = {}  # collection -> fields that have a column
        self._connect().execute("PRAGMA journal_mode=WAL")

    # -- connections ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")
            # Reads through a shared memory map instead of each connection's 2 MB page cache, which a
            # catalog of 10,000 documents does not fit in: a filtered count of 10,000 models takes
            # 0.5 ms instead of 1.7 ms (docs/benchmarks.md). Only address space; the OS page cache
            # is what holds the pages, once for every thread's connection.
            conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("casefold", 1, _casefold, deterministic=True)
            self._local.conn = conn
        return conn

    def _write(self, work):
        """Run `work(conn)` in one immediate transaction, serialised within this process."""
        conn = self._connect()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
            except sqlite3.IntegrityError as exc:
                raise self._duplicate(exc) from exc
            except sqlite3.OperationalError as exc:
                raise DependencyUnavailable(self.component, f"metadata store error: {exc}") from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self._connect().execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise DependencyUnavailable(self.component, f"metadata store error: {exc}") from exc

    def _duplicate(self, exc: sqlite3.IntegrityError) -> DuplicateKey:
        message = str(exc)
        match = re.search(r"index '([^']+)'", message)
        fields = self._unique_fields.get(match.group(1), ()) if match else ()
        if not fields:  # a unique index on columns: "UNIQUE constraint failed: models.$name_key, …"
            failed = message.partition("UNIQUE constraint failed:")[2]
            fields = tuple(
                column.removeprefix("$")
                for column in (part.strip().partition(".")[2] for part in failed.split(","))
                if column.startswith("$")
            )
        names = ", ".join(fields) or "a unique field"
        return DuplicateKey(f"another record already has this {names}", details={"fields": list(fields)})

    # -- schema --------------------------------------------------------------------------------
    @staticmethod
    def _table(collection: str) -> str:
        if not NAME_RE.match(collection):
            raise ValueError(f"bad collection name {collection!r}")
        return collection

    @staticmethod
    def _json_path(field_name: str) -> str:
        if not FIELD_RE.match(field_name):
            raise ValueError(f"bad field name {field_name!r}")
        return "$." + field_name

    def _create_collection(self, spec: CollectionSpec) -> None:
        table = self._table(spec.name)
        fields = list(dict.fromkeys(f for index in spec.indexes if not index.multikey for f in index.fields))
        for field_name in fields:
            self._json_path(field_name)  # refuse a bad field name before it reaches SQL

        def work(conn):
            # Field columns before `doc`, so reading them never walks a large document's overflow pages.
            columns = "".join(f"{_column(f)}, " for f in fields)
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} "
                f"(id TEXT PRIMARY KEY, version INTEGER NOT NULL, {columns}doc TEXT NOT NULL)"
            )
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for field_name in fields:
                if "$" + field_name not in present:  # a table from before this field had a column
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {_column(field_name)}")
                    conn.execute(
                        f"UPDATE {table} SET {_column(field_name)} = json_extract(doc, '{self._json_path(field_name)}')"
                    )
            for index in spec.indexes:
                name = f"{table}_{index.name}"
                if index.multikey:
                    side = f"{table}__{index.fields[0].replace('.', '_')}"
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {side} (id TEXT NOT NULL REFERENCES {table}(id) "
                        "ON DELETE CASCADE, value, PRIMARY KEY (value, id)) WITHOUT ROWID"
                    )
                    conn.execute(f"CREATE INDEX IF NOT EXISTS {side}_id ON {side}(id)")
                    continue
                old = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
                ).fetchone()
                if old is not None and "json_extract" in (old[0] or ""):  # the expression index of old
                    conn.execute(f"DROP INDEX {name}")
                unique = "UNIQUE " if index.unique else ""
                on = ", ".join(_column(f) for f in index.fields)
                conn.execute(f"CREATE {unique}INDEX IF NOT EXISTS {name} ON {table}({on})")
                if index.unique:
                    self._unique_fields[name] = index.fields
            self._columns[spec.name] = self._field_columns(conn.execute(f"PRAGMA table_info({table})").fetchall())

        self._write(work)

    @staticmethod
    def _field_columns(table_info: list[tuple]) -> tuple[str, ...]:
        """Every field column a table really has (all kept up to date by every write, whoever registered them)."""
        return tuple(row[1][1:] for row in table_info if row[1].startswith("$"))

    def _columns_of(self, collection: str) -> tuple[str, ...]:
        columns = self._columns.get(collection)
        if columns is None:  # a collection this process did not register: ask the table itself
            columns = self._field_columns(self._read(f"PRAGMA table_info({self._table(collection)})"))
            if columns:
                self._columns[collection] = columns
        return columns

    def _set_columns(self, collection: str) -> str:
        """`, "$a" = json_extract(:doc, '$.a'), …`: the field columns from the JSON being written."""
        return "".join(
            f", {_column(f)} = json_extract(:doc, '{self._json_path(f)}')" for f in self._columns_of(collection)
        )

    # -- writes --------------------------------------------------------------------------------
    def _sync_multikey(self, conn, collection: str, doc: Mapping[str, Any]) -> None:
        for field_name in self.spec(collection).multikey_fields:
            side = f"{collection}__{field_name.replace('.', '_')}"
            conn.execute(f"DELETE FROM {side} WHERE id = ?", (doc["_id"],))
            values = doc.get(field_name) or []
            if not isinstance(values, list):
                values = [values]
            conn.executemany(
                f"INSERT OR IGNORE INTO {side} (id, value) VALUES (?, ?)",
                [(doc["_id"], _sql_value(v)) for v in values],
            )

    def _insert(self, collection: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        table = self._table(collection)
        fields = self._columns_of(collection)
        names = "".join(f", {_column(f)}" for f in fields)
        values = "".join(f", json_extract(:doc, '{self._json_path(f)}')" for f in fields)

        def work(conn):
            body = {k: v for k, v in doc.items() if k not in ("_id", "_version")}
            conn.execute(
                f"INSERT INTO {table} (id, version, doc{names}) VALUES (:id, 1, :doc{values})",
                {"id": doc["_id"], "doc": json.dumps(body)},
            )
            self._sync_multikey(conn, collection, doc)

        self._write(work)
        return doc

    def _get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        rows = self._read(f"SELECT id, version, doc FROM {self._table(collection)} WHERE id = ?", (doc_id,))
        return self._document(rows[0]) if rows else None

    @staticmethod
    def _document(row: tuple) -> dict[str, Any]:
        doc_id, version, body = row
        return {"_id": doc_id, "_version": version, **json.loads(body)}

    def _update(
        self,
        collection: str,
        doc_id: str,
        changes: Mapping[str, Any],
        expected_version: int | None = None,
        unset: Sequence[str] = (),
    ) -> dict[str, Any]:
        table = self._table(collection)
        set_columns = self._set_columns(collection)

        def work(conn):
            row = conn.execute(f"SELECT id, version, doc FROM {table} WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise NotFound(f"{collection} {doc_id} not found")
            current = self._document(row)
            if expected_version is not None and current["_version"] != expected_version:
                raise StaleVersion(
                    "the record was changed by someone else; reload it and apply your edit again",
                    details={"expected_version": expected_version, "current_version": current["_version"]},
                )
            updated = {**current, **{k: v for k, v in changes.items() if k not in ("_id", "_version")}}
            for name in unset:
                updated.pop(name, None)
            updated["_version"] = current["_version"] + 1
            body = {k: v for k, v in updated.items() if k not in ("_id", "_version")}
            conn.execute(
                f"UPDATE {table} SET version = :version, doc = :doc{set_columns} WHERE id = :id",
                {"version": updated["_version"], "doc": json.dumps(body), "id": doc_id},
            )
            self._sync_multikey(conn, collection, updated)
            return updated

        return self._write(work)

    def _increment(self, collection: str, doc_id: str, field_name: str, amount: int = 1) -> int:
        table, path = self._table(collection), self._json_path(field_name)
        # An indexed counter's column is set from the new document in the same statement.
        indexed = field_name in self._columns_of(collection)
        column = f", {_column(field_name)} = coalesce(json_extract(doc, '{path}'), 0) + :amount" if indexed else ""

        def work(conn):
            row = conn.execute(
                f"UPDATE {table} SET doc = json_set(doc, '{path}', coalesce(json_extract(doc, '{path}'), 0) + :amount)"
                f"{column} WHERE id = :id RETURNING json_extract(doc, '{path}')",
                {"amount": amount, "id": doc_id},
            ).fetchone()
            if row is None:
                raise NotFound(f"{collection} {doc_id} not found")
            return row[0]

        return self._write(work)

    def _delete(self, collection: str, doc_id: str, expected_version: int | None = None) -> bool:
        table = self._table(collection)

        def work(conn):
            if expected_version is None:
                return conn.execute(f"DELETE FROM {table} WHERE id = ?", (doc_id,)).rowcount > 0
            deleted = conn.execute(
                f"DELETE FROM {table} WHERE id = ? AND version = ?", (doc_id, expected_version)
            ).rowcount
            if not deleted and conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (doc_id,)).fetchone():
                raise StaleVersion("the record was changed by someone else; reload it before deleting")
            return deleted > 0

        return self._write(work)

    def _delete_many(self, collection: str, flt: Mapping[str, Any]) -> int:
        table = self._table(collection)
        where, params = self._where(collection, flt)
        return self._write(lambda conn: conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount)

    # -- reads ---------------------------------------------------------------------------------
    def _expr(self, field_name: str, collection: str | None = None) -> str:
        if field_name == "_id":
            return "id"
        if field_name == "_version":
            return "version"
        path = self._json_path(field_name)
        if collection is not None and field_name in self._columns_of(collection):
            return _column(field_name)
        return f"json_extract(doc, '{path}')"

    def _where(self, collection: str, flt: Mapping[str, Any]) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        multikey = self.spec(collection).multikey_fields
        for key, value in flt.items():
            if key in ("$and", "$or"):
                parts = [self._where(collection, sub) for sub in value]
                joiner = " AND " if key == "$and" else " OR "
                clauses.append("(" + joiner.join(f"({sql})" for sql, _ in parts) + ")")
                for _, sub_params in parts:
                    params.extend(sub_params)
                continue
            conditions = value if isinstance(value, Mapping) else {"$eq": value}
            for op, operand in conditions.items():
                if key in multikey:
                    sql, op_params = self._multikey_condition(collection, key, op, operand)
                else:
                    sql, op_params = self._condition(self._expr(key, collection), op, operand)
                clauses.append(sql)
                params.extend(op_params)
        return (" AND ".join(clauses) or "1"), params

    @staticmethod
    def _condition(expr: str, op: str, operand: Any) -> tuple[str, list[Any]]:
        if op == "$eq":
            return (f"{expr} IS NULL", []) if operand is None else (f"{expr} = ?", [_sql_value(operand)])
        if op == "$ne":
            if operand is None:
                return f"{expr} IS NOT NULL", []
            return f"({expr} IS NULL OR {expr} != ?)", [_sql_value(operand)]
        if op == "$in":
            if not operand:
                return "0", []
            values = [_sql_value(v) for v in operand if v is not None]
            sql = f"{expr} IN ({', '.join('?' for _ in values)})" if values else "0"
            if any(v is None for v in operand):
                sql = f"({sql} OR {expr} IS NULL)"
            return sql, values
        if op == "$contains":
            if operand.isascii():  # LIKE folds ASCII case natively, and an ASCII needle only matches ASCII
                escaped = operand.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                return f"{expr} LIKE ? ESCAPE '\\'", [f"%{escaped}%"]
            return f"instr(casefold({expr}), ?) > 0", [operand.casefold()]
        return f"{expr} {OPERATORS[op]} ?", [_sql_value(operand)]

    def _multikey_condition(self, collection: str, field_name: str, op: str, operand: Any):
        side = f"{collection}__{field_name.replace('.', '_')}"
        if op == "$ne":  # no element equals the operand
            sub, params = self._condition("value", "$eq", operand)
            return f"id NOT IN (SELECT id FROM {side} WHERE {sub})", params
        sub, params = self._condition("value", op, operand)
        return f"id IN (SELECT id FROM {side} WHERE {sub})", params

    def _find(self, collection: str, flt: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> list:
        where, params = self._where(collection, flt)
        order = ", ".join(f"{self._expr(name, collection)} {'ASC' if d == 1 else 'DESC'}" for name, d in sort)
        rows = self._read(
            f"SELECT id, version, doc FROM {self._table(collection)} WHERE {where} ORDER BY {order} LIMIT ?",
            [*params, limit],
        )
        return [self._document(row) for row in rows]

    def _count(self, collection: str, flt: dict[str, Any]) -> int:
        where, params = self._where(collection, flt)
        rows = self._read(f"SELECT count(*) FROM {self._table(collection)} WHERE {where}", params)
        return rows[0][0] if rows else 0

    def _facet_counts(self, collection: str, field_name: str, flt: dict[str, Any]) -> dict[Any, int]:
        table = self._table(collection)
        where, params = self._where(collection, flt)
        if field_name in self.spec(collection).multikey_fields:
            side = f"{collection}__{field_name.replace('.', '_')}"
            sql = (
                f"SELECT value, count(*) FROM {side} WHERE id IN (SELECT id FROM {table} WHERE {where}) GROUP BY value"
            )
        else:
            expr = self._expr(field_name, collection)
            sql = f"SELECT {expr}, count(*) FROM {table} WHERE {where} AND {expr} IS NOT NULL GROUP BY {expr}"
        return {value: count for value, count in self._read(sql, params)}

    def _ping(self) -> None:
        self._read("SELECT 1")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
