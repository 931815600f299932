"""`total` of the catalog list stays exact whether it is counted or known from a first page that holds
every match (the count is skipped then: models/repository.py)."""

from __future__ import annotations

import uuid


def test_total_is_exact_with_and_without_the_count(registry):
    department = f"dept-{uuid.uuid4().hex[:6]}"
    for i in range(5):
        body = {"name": f"total-{department}-{i}", "department": department, "description": "churn" if i < 3 else ""}
        assert registry.client.post("/api/models", json=body, headers=registry.as_role("admin")).status_code == 201

    def page(query: str) -> dict:
        response = registry.client.get(
            f"/api/models?department={department}&{query}", headers=registry.as_role("viewer")
        )
        assert response.status_code == 200, response.text
        return response.json()

    whole = page("limit=50")  # one page holds every match: no count needed
    assert whole["total"] == 5 and len(whole["items"]) == 5 and whole["next_cursor"] is None
    exact = page("limit=5")  # exactly full: the look-ahead row says there is no next page
    assert exact["total"] == 5 and exact["next_cursor"] is None
    searched = page("q=CHURN")
    assert searched["total"] == 3 and [m["name"][-1] for m in searched["items"]] == ["0", "1", "2"]
    assert page("q=nothing-like-it") == {"items": [], "total": 0, "next_cursor": None}

    first = page("limit=2")  # more than a page: counted
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    last = page(f"limit=3&cursor={first['next_cursor']}")  # the last page after a cursor: counted as well
    assert last["total"] == 5 and len(last["items"]) == 3 and last["next_cursor"] is None
