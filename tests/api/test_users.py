"""Users administration and the audit log (built-in directory)."""

from __future__ import annotations

from tests.api.conftest import login

NEW_USER = {
    "username": "nora.analyst",
    "password": "correct-horse-1",
    "email": "nora@example.com",
    "first_name": "Nora",
    "last_name": "Analyst",
    "roles": ["business_user"],
    "groups": ["finance"],
}


def test_admin_creates_a_user_who_can_log_in(client, as_role):
    response = client.post("/api/users", json=NEW_USER, headers=as_role("admin"))
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["username"] == "nora.analyst" and user["roles"] == ["business_user"] and not user["disabled"]
    assert "password" not in user and "password_hash" not in user
    token = login(client, "nora.analyst", "correct-horse-1")
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["roles"] == ["business_user"] and me["groups"] == ["finance"]


def test_duplicate_username_in_another_case_is_409(client, as_role):
    assert client.post("/api/users", json=NEW_USER, headers=as_role("admin")).status_code == 201
    response = client.post("/api/users", json={**NEW_USER, "username": "NORA.analyst"}, headers=as_role("admin"))
    assert response.status_code == 422  # upper case is outside the username pattern
    response = client.post("/api/users", json=NEW_USER, headers=as_role("admin"))
    assert response.status_code == 409 and response.json()["error"]["details"]["field"] == "username"


def test_bad_user_input_names_the_field(client, as_role):
    cases = {
        "username": {**NEW_USER, "username": "x"},
        "password": {**NEW_USER, "password": "short"},
        "email": {**NEW_USER, "email": "not-an-email"},
        "roles": {**NEW_USER, "roles": ["superuser"]},
    }
    for field, body in cases.items():
        response = client.post("/api/users", json=body, headers=as_role("admin"))
        assert response.status_code == 422, field
        assert response.json()["error"]["details"][0]["field"].startswith(field), response.json()


def test_change_roles_and_disable(client, as_role):
    user = client.post("/api/users", json=NEW_USER, headers=as_role("admin")).json()
    response = client.patch(f"/api/users/{user['id']}", json={"roles": ["data_scientist"]}, headers=as_role("admin"))
    assert response.status_code == 200 and response.json()["roles"] == ["data_scientist"]
    token = login(client, "nora.analyst", "correct-horse-1")
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert "edit_models" in me["permissions"]
    assert client.patch(f"/api/users/{user['id']}", json={"disabled": True}, headers=as_role("admin")).json()[
        "disabled"
    ]
    response = client.post("/api/auth/token", data={"username": "nora.analyst", "password": "correct-horse-1"})
    assert response.status_code == 401


def test_admin_cannot_lock_themselves_out(client, as_role):
    me = client.get("/api/auth/me", headers=as_role("admin")).json()
    response = client.patch(f"/api/users/{me['id']}", json={"disabled": True}, headers=as_role("admin"))
    assert response.status_code == 400


def test_list_search_and_paginate(client, as_role):
    for i in range(3):
        client.post(
            "/api/users", json={**NEW_USER, "username": f"user{i}", "email": f"u{i}@x.org"}, headers=as_role("admin")
        )
    page = client.get("/api/users?limit=3", headers=as_role("admin")).json()
    assert page["total"] == 7 and len(page["items"]) == 3 and page["next_cursor"]
    rest = client.get(f"/api/users?limit=10&cursor={page['next_cursor']}", headers=as_role("admin")).json()
    assert len(rest["items"]) == 4 and rest["next_cursor"] is None
    names = [u["username"] for u in page["items"] + rest["items"]]
    assert names == sorted(names)
    assert [u["username"] for u in client.get("/api/users?q=user1", headers=as_role("admin")).json()["items"]] == [
        "user1"
    ]
    viewers = client.get("/api/users?role=viewer", headers=as_role("admin")).json()["items"]
    assert [u["username"] for u in viewers] == ["viewer"]
    assert client.get("/api/users/nope", headers=as_role("admin")).status_code == 404


def test_every_user_change_is_audited(client, as_role):
    user = client.post("/api/users", json=NEW_USER, headers=as_role("admin")).json()
    client.patch(f"/api/users/{user['id']}", json={"roles": ["viewer"]}, headers=as_role("admin"))
    entries = client.get(f"/api/audit?entity_id={user['id']}", headers=as_role("admin")).json()
    assert entries["total"] == 2
    change, creation = entries["items"]
    assert creation["action"] == "user.create" and creation["actor"] == "admin" and creation["before"] is None
    assert change["action"] == "user.roles"
    assert change["before"]["roles"] == ["business_user"] and change["after"]["roles"] == ["viewer"]
    assert "password_hash" not in str(entries)
    assert client.get("/api/audit?actor=viewer", headers=as_role("admin")).json()["total"] == 0
    since = creation["at"]
    assert client.get(f"/api/audit?since={since}", headers=as_role("admin")).json()["total"] == 2
    assert client.get("/api/audit?until=2000-01-01T00:00:00Z", headers=as_role("admin")).json()["total"] == 0
