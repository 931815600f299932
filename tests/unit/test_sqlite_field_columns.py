"""The embedded store keeps every indexed scalar field in a column of its own (docs/benchmarks.md says
why); these check what only SQLite has: the columns, their upgrade from the old layout, and that no
write path lets a column drift from its document."""

from __future__ import annotations

import json
import sqlite3

import pytest

from modelhub.errors import DuplicateKey
from modelhub.stores.metadata import Index, open_metadata_store

INDEXES = [Index(("name_key",), unique=True), Index(("department",)), Index(("n",)), Index(("tags",), multikey=True)]


def columns_agree(store, collection: str) -> None:
    """Every field column holds exactly json_extract(doc, '$.field') in every row."""
    fields = store._columns_of(collection)
    assert fields
    for field_name in fields:
        drift = store._read(
            f"SELECT count(*) FROM {collection} WHERE \"${field_name}\" IS NOT json_extract(doc, '$.{field_name}')"
        )
        assert drift[0][0] == 0, field_name


@pytest.fixture
def store(tmp_path):
    store = open_metadata_store(f"sqlite:///{tmp_path / 'metadata.db'}")
    store.ensure_collection("models", INDEXES)
    yield store
    store.close()


def test_indexed_fields_have_columns_and_plain_indexes(store):
    assert set(store._columns_of("models")) == {"name_key", "department", "n"}
    sql = dict(store._read("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'models_ix_%'"))
    assert sql["models_ix_department"].endswith('("$department")')
    assert "json_extract" not in "".join(sql.values())
    plan = " ".join(
        row[3] for row in store._read("EXPLAIN QUERY PLAN SELECT id FROM models WHERE \"$department\" = 'x'")
    )
    assert "models_ix_department" in plan


def test_every_write_keeps_the_columns_in_step(store):
    doc = store.insert("models", {"name_key": "a", "department": "hr", "n": 1, "tags": ["x"], "other": {"k": 1}})
    store.insert("models", {"name_key": "b", "department": None, "tags": []})
    store.update("models", doc["_id"], {"department": "sales", "n": 2.5})
    store.update("models", doc["_id"], {}, unset=["n"])
    store.increment("models", doc["_id"], "n", 3)  # an indexed counter
    store.increment("models", doc["_id"], "unindexed", 1)
    columns_agree(store, "models")
    assert store.find_one("models", {"n": 3})["_id"] == doc["_id"]
    assert [d["name_key"] for d in store.find("models", {"department": None}).items] == ["b"]
    with pytest.raises(DuplicateKey) as err:
        store.update("models", doc["_id"], {"name_key": "b"})
    assert err.value.details["fields"] == ["name_key"]


def test_a_process_that_did_not_register_the_indexes_still_fills_the_columns(store, tmp_path):
    other = open_metadata_store(f"sqlite:///{tmp_path / 'metadata.db'}")
    try:
        doc = other.insert("models", {"name_key": "c", "department": "rnd", "n": 7})
        other.update("models", doc["_id"], {"department": "hr"})
        assert other.count("models", {"department": "hr"}) == 1
    finally:
        other.close()
    columns_agree(store, "models")
    assert store.find_one("models", {"department": "hr"})["name_key"] == "c"


def test_a_table_of_the_old_layout_gets_its_columns_on_open(tmp_path):
    """Before the columns, a table was (id, version, doc) with expression indexes on json_extract."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE models (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)")
    conn.execute("CREATE UNIQUE INDEX models_ix_name_key ON models(json_extract(doc, '$.name_key'))")
    conn.execute("CREATE INDEX models_ix_department ON models(json_extract(doc, '$.department'))")
    docs = [{"name_key": f"m{i}", "department": ["hr", "rnd"][i % 2], "n": i} for i in range(5)]
    conn.executemany("INSERT INTO models VALUES (?, 1, ?)", [(f"id{i}", json.dumps(d)) for i, d in enumerate(docs)])
    conn.commit()
    conn.close()

    store = open_metadata_store(f"sqlite:///{path}")
    try:
        store.register("models", INDEXES)
        assert store.count("models", {"department": "rnd"}) == 2
        assert [d["n"] for d in store.find("models", sort=[("n", -1)], limit=3).items] == [4, 3, 2]
        columns_agree(store, "models")
        sql = dict(store._read("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'models_ix_%'"))
        assert "json_extract" not in "".join(sql.values()) and "models_ix_n" in sql
        with pytest.raises(DuplicateKey) as err:
            store.insert("models", {"name_key": "m1"})
        assert err.value.details["fields"] == ["name_key"]
    finally:
        store.close()


def test_unindexed_and_nested_fields_are_still_read_from_the_document(store):
    store.insert("models", {"name_key": "a", "meta": {"stage": "prod"}, "score": 3})
    store.insert("models", {"name_key": "b", "meta": {"stage": "dev"}, "score": 1})
    assert [d["name_key"] for d in store.find("models", {"meta.stage": "prod"}).items] == ["a"]
    assert [d["name_key"] for d in store.find("models", sort=[("score", 1)]).items] == ["b", "a"]
