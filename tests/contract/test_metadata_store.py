"""One contract for every metadata backend (embedded SQLite and MongoDB wire protocol via FerretDB)."""

from __future__ import annotations

import threading

import pytest

from modelhub.errors import BadRequest, DuplicateKey, NotFound, StaleVersion
from modelhub.stores.metadata import Index

pytestmark = pytest.mark.servers

MODEL_INDEXES = [
    Index(("name_key",), unique=True),
    Index(("department",)),
    Index(("created_at",)),
    Index(("tags",), multikey=True),
]
DEPARTMENTS = ["finance", "hr", "marketing", "rnd", "sales"]


@pytest.fixture
def models(metadata_store):
    metadata_store.ensure_collection("models", MODEL_INDEXES)
    for i in range(23):
        metadata_store.insert(
            "models",
            {
                "name": f"Model-{i:02d}",
                "name_key": f"model-{i:02d}",
                "department": DEPARTMENTS[i % 5],
                "score": i % 7,
                "tags": ["churn", "weekly"] if i % 3 == 0 else ["forecast"],
                "created_at": f"2026-01-{i + 1:02d}T00:00:00Z",
                "owner": None if i % 4 == 0 else f"user{i % 2}",
            },
        )
    return metadata_store


def names(page_or_items):
    items = getattr(page_or_items, "items", page_or_items)
    return [doc["name"] for doc in items]


def test_insert_get_assigns_id_and_version(metadata_store):
    metadata_store.ensure_collection("things")
    stored = metadata_store.insert("things", {"a": 1, "nested": {"b": [1, 2]}})
    assert stored["_version"] == 1 and isinstance(stored["_id"], str)
    fetched = metadata_store.get("things", stored["_id"])
    assert fetched == stored
    assert metadata_store.get("things", "missing") is None


def test_user_json_keys_with_dollar_and_dot_round_trip(metadata_store):
    """JSON Schemas carry "$schema"; column names carry dots: both must store and read back as sent."""
    metadata_store.ensure_collection("things")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"petal.width": {"type": "number"}, "50%": {"type": "string"}, "%24x": {"type": "null"}},
        "required": ["petal.width"],
        "$defs": {"a.b": [{"$ref": "#"}]},
    }
    stored = metadata_store.insert("things", {"input_schema": schema})
    assert metadata_store.get("things", stored["_id"])["input_schema"] == schema
    changed = {**schema, "title": "v2"}
    updated = metadata_store.update("things", stored["_id"], {"input_schema": changed})
    assert updated["input_schema"] == changed
    assert metadata_store.find("things", {}, limit=10).items[0]["input_schema"] == changed


def test_unique_index_names_the_field(models):
    with pytest.raises(DuplicateKey) as err:
        models.insert("models", {"name": "MODEL-00", "name_key": "model-00", "department": "hr"})
    assert err.value.details["fields"] == ["name_key"]
    assert models.count("models") == 23


def test_update_with_optimistic_version(models):
    doc = models.find_one("models", {"name_key": "model-03"})
    updated = models.update("models", doc["_id"], {"score": 100}, expected_version=doc["_version"])
    assert updated["score"] == 100 and updated["_version"] == doc["_version"] + 1
    with pytest.raises(StaleVersion):
        models.update("models", doc["_id"], {"score": 5}, expected_version=doc["_version"])
    assert models.get("models", doc["_id"])["score"] == 100
    with pytest.raises(NotFound):
        models.update("models", "nope", {"score": 1})
    removed = models.update("models", doc["_id"], {}, unset=["owner"])
    assert "owner" not in removed


def test_update_keeps_unique_constraint(models):
    doc = models.find_one("models", {"name_key": "model-01"})
    with pytest.raises(DuplicateKey):
        models.update("models", doc["_id"], {"name_key": "model-02"})
    assert models.get("models", doc["_id"])["name_key"] == "model-01"


def test_update_refreshes_multikey_field(models):
    doc = models.find_one("models", {"name_key": "model-01"})
    models.update("models", doc["_id"], {"tags": ["brand-new"]})
    assert names(models.find("models", {"tags": "brand-new"})) == ["Model-01"]
    assert "Model-01" not in names(models.find("models", {"tags": "forecast"}, limit=100))


def test_delete_and_delete_many(models):
    doc = models.find_one("models", {"name_key": "model-04"})
    with pytest.raises(StaleVersion):
        models.delete("models", doc["_id"], expected_version=doc["_version"] + 1)
    assert models.delete("models", doc["_id"], expected_version=doc["_version"])
    assert not models.delete("models", doc["_id"])
    assert models.delete_many("models", {"department": "finance"}) == 5
    assert models.count("models") == 17


def test_increment_is_atomic_under_threads(metadata_store):
    metadata_store.ensure_collection("counters")
    doc = metadata_store.insert("counters", {"next": 0})
    results = []

    def bump():
        for _ in range(10):
            results.append(metadata_store.increment("counters", doc["_id"], "next"))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 41))
    assert metadata_store.get("counters", doc["_id"])["_version"] == 1


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"department": "hr"}, 5),
        ({"department": {"$in": ["hr", "sales"]}}, 9),
        ({"department": {"$ne": "hr"}}, 18),
        ({"score": {"$gte": 5}}, 6),
        ({"score": {"$gt": 2, "$lt": 5}}, 6),
        ({"tags": "churn"}, 8),
        ({"tags": {"$in": ["churn", "forecast"]}}, 23),
        ({"name": {"$contains": "DEL-1"}}, 10),
        ({"name": {"$contains": "x.y"}}, 0),
        ({"owner": None}, 6),
        ({"owner": {"$ne": None}}, 17),
        ({"$or": [{"department": "hr"}, {"score": 0}]}, 8),
        ({"$and": [{"department": "hr"}, {"tags": "churn"}]}, 2),
        ({"created_at": {"$gte": "2026-01-10T00:00:00Z", "$lt": "2026-01-20T00:00:00Z"}}, 10),
    ],
)
def test_filters_count_and_find_agree(models, flt, expected):
    assert models.count("models", flt) == expected
    assert len(models.find("models", flt, limit=100).items) == expected


def test_contains_is_case_insensitive_and_literal(metadata_store):
    metadata_store.ensure_collection("texts")
    for name in ["Prévision des ventes", "churn (v2)", "a.b*c", "50%_off", "50x off", "C:\\tmp"]:
        metadata_store.insert("texts", {"name": name})
    assert names(metadata_store.find("texts", {"name": {"$contains": "%_"}})) == ["50%_off"]
    assert names(metadata_store.find("texts", {"name": {"$contains": "c:\\"}})) == ["C:\\tmp"]
    assert names(metadata_store.find("texts", {"name": {"$contains": "PRÉVISION"}})) == ["Prévision des ventes"]
    assert names(metadata_store.find("texts", {"name": {"$contains": "(v2)"}})) == ["churn (v2)"]
    assert names(metadata_store.find("texts", {"name": {"$contains": ".b*"}})) == ["a.b*c"]


def test_sort_and_cursor_pages_are_exact(models):
    sort = [("department", 1), ("score", -1)]
    expected = names(models.find("models", sort=sort, limit=100))
    seen, cursor, pages = [], None, 0
    while True:
        page = models.find("models", sort=sort, limit=5, cursor=cursor, with_total=True)
        assert page.total == 23
        seen += names(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected and len(seen) == 23 and pages == 5
    departments = [d["department"] for d in models.find("models", sort=sort, limit=100).items]
    assert departments == sorted(departments)


def test_cursor_over_nullable_sort_field(models):
    sort = [("owner", -1)]
    full = [d["_id"] for d in models.find("models", sort=sort, limit=100).items]
    paged, cursor = [], None
    while True:
        page = models.find("models", sort=sort, limit=4, cursor=cursor)
        paged += [d["_id"] for d in page.items]
        if not (cursor := page.next_cursor):
            break
    assert paged == full


def test_filtered_pagination_with_total(models):
    page = models.find("models", {"tags": "forecast"}, sort=[("created_at", -1)], limit=10, with_total=True)
    assert page.total == 15 and len(page.items) == 10 and page.next_cursor
    rest = models.find("models", {"tags": "forecast"}, sort=[("created_at", -1)], limit=10, cursor=page.next_cursor)
    assert len(rest.items) == 5 and rest.next_cursor is None
    dates = [d["created_at"] for d in page.items + rest.items]
    assert dates == sorted(dates, reverse=True)


def test_facet_counts(models):
    assert models.facet_counts("models", "department") == {"finance": 5, "hr": 5, "marketing": 5, "rnd": 4, "sales": 4}
    assert models.facet_counts("models", "tags") == {"churn": 8, "weekly": 8, "forecast": 15}
    assert models.facet_counts("models", "tags", {"department": "hr"}) == {"churn": 2, "weekly": 2, "forecast": 3}


@pytest.mark.parametrize(
    "flt",
    [{"$where": "1"}, {"a": {"$regex": "x"}}, {"$or": []}, {"a": {"$in": "x"}}, {"a": {"$contains": 3}}],
)
def test_unsupported_filters_are_refused(models, flt):
    with pytest.raises(BadRequest):
        models.find("models", flt)


def test_bad_cursor_and_limit(models):
    with pytest.raises(BadRequest):
        models.find("models", cursor="not-a-cursor")
    with pytest.raises(BadRequest):
        models.find("models", limit=0)


def test_optimistic_updates_lose_nothing_under_contention(metadata_store):
    metadata_store.ensure_collection("counters")
    doc = metadata_store.insert("counters", {"count": 0})

    def add_five():
        done = 0
        while done < 5:
            current = metadata_store.get("counters", doc["_id"])
            try:
                metadata_store.update(
                    "counters", doc["_id"], {"count": current["count"] + 1}, expected_version=current["_version"]
                )
                done += 1
            except StaleVersion:
                continue

    threads = [threading.Thread(target=add_five) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = metadata_store.get("counters", doc["_id"])
    assert final["count"] == 20 and final["_version"] == 21
