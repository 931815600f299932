"""docker/keycloak/realm.py: the production realm Keycloak imports in the compose stack, and the demo
users its `demo` profile adds, both derived from the realm file the Keycloak tests load."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.harness.keycloak import DEFAULT_REALM_FILE

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("modelhub_realm_tool", REPO / "docker" / "keycloak" / "realm.py")
realm_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(realm_tool)

SOURCE = json.loads(DEFAULT_REALM_FILE.read_text())
ENV = {
    "PUBLIC_URL": "https://modelhub.example.com/",
    "KEYCLOAK_PIPELINES_CLIENT_SECRET": "pipelines-0123456789abcdef",
    "KEYCLOAK_ADMIN_API_CLIENT_SECRET": "admin-api-0123456789abcdef",
}
DEMO = {"admin", "datascientist", "business", "viewer"}


def client(realm: dict, client_id: str) -> dict:
    return next(c for c in realm["clients"] if c["clientId"] == client_id)


def test_production_realm_has_no_demo_users_but_keeps_the_service_accounts():
    realm = realm_tool.production_realm(SOURCE, ENV)
    usernames = {u["username"] for u in realm["users"]}
    assert not usernames & DEMO
    assert not any(u.get("credentials") for u in realm["users"]), "no user with a password is imported"
    service_accounts = {u["username"] for u in SOURCE["users"] if u.get("serviceAccountClientId")}
    assert service_accounts and service_accounts <= usernames
    # Everything else is the tests' realm as it is: roles, groups, clients and their mappers.
    assert {k: v for k, v in realm.items() if k not in ("users", "clients")} == {
        k: v for k, v in SOURCE.items() if k not in ("users", "clients")
    }
    changed = {"secret", "rootUrl", "redirectUris", "webOrigins", "directAccessGrantsEnabled"}
    for name in ("modelhub-web", "modelhub-pipelines", "modelhub-admin-api"):
        kept = {k: v for k, v in client(realm, name).items() if k not in changed}
        assert kept == {k: v for k, v in client(SOURCE, name).items() if k not in changed}


def test_production_realm_takes_secrets_and_urls_from_the_environment():
    realm = realm_tool.production_realm(SOURCE, {**ENV, "EXTRA_REDIRECT_URLS": "https://alt.example.com"})
    assert client(realm, "modelhub-pipelines")["secret"] == ENV["KEYCLOAK_PIPELINES_CLIENT_SECRET"]
    assert client(realm, "modelhub-admin-api")["secret"] == ENV["KEYCLOAK_ADMIN_API_CLIENT_SECRET"]
    web = client(realm, "modelhub-web")
    assert web["redirectUris"] == ["https://modelhub.example.com/*", "https://alt.example.com/*"]
    assert web["webOrigins"] == ["https://modelhub.example.com", "https://alt.example.com"]
    assert not any("localhost" in uri for uri in web["redirectUris"])
    assert web["rootUrl"] == "https://modelhub.example.com"
    assert web["publicClient"] is True and web["attributes"]["pkce.code.challenge.method"] == "S256"
    assert web["directAccessGrantsEnabled"] is False, "no password grant in production"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"KEYCLOAK_PIPELINES_CLIENT_SECRET": ""}, "KEYCLOAK_PIPELINES_CLIENT_SECRET"),
        ({"KEYCLOAK_ADMIN_API_CLIENT_SECRET": "short"}, "at least 16"),
        ({"KEYCLOAK_PIPELINES_CLIENT_SECRET": client(SOURCE, "modelhub-admin-api")["secret"]}, "published secret"),
        ({"PUBLIC_URL": "modelhub.example.com"}, "http(s) URL"),
    ],
)
def test_production_realm_refuses_missing_or_published_secrets(change, message):
    with pytest.raises(realm_tool.RealmError, match=message.replace("(", r"\(").replace(")", r"\)")):
        realm_tool.production_realm(SOURCE, {**ENV, **change})


def test_prepare_writes_the_import_file_and_leaves_the_source_alone(tmp_path):
    before = DEFAULT_REALM_FILE.read_bytes()
    out = tmp_path / "import" / "realm-modelhub.json"
    assert realm_tool.main(["prepare", "--source", str(DEFAULT_REALM_FILE), "--out", str(out)]) == 1  # no env
    for name, value in ENV.items():
        realm_tool.os.environ[name] = value
    try:
        assert realm_tool.main(["prepare", "--source", str(DEFAULT_REALM_FILE), "--out", str(out)]) == 0
    finally:
        for name in ENV:
            realm_tool.os.environ.pop(name)
    written = json.loads(out.read_text())
    assert written["realm"] == "modelhub" and not {u["username"] for u in written["users"]} & DEMO
    assert out.stat().st_mode & 0o044 == 0o044, "Keycloak (another user) reads it"
    assert DEFAULT_REALM_FILE.read_bytes() == before


class FakeKeycloak(BaseHTTPRequestHandler):
    """Keycloak's two endpoints the demo profile calls, recording what it receives."""

    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), body))
        if self.path.endswith("/openid-connect/token"):
            answer = {"access_token": "admin-token"}
        else:
            answer = {"added": len(json.loads(body)["users"]), "skipped": 0}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_demo_users_are_partially_imported_from_the_same_file():
    """A unit test of the payload; the demo users themselves log in to real Keycloak in tests/api/test_keycloak.py."""
    server = HTTPServer(("127.0.0.1", 0), FakeKeycloak)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeKeycloak.received.clear()
    try:
        base = f"http://127.0.0.1:{server.server_port}/auth"
        realm_tool.add_demo_users(
            DEFAULT_REALM_FILE, base, {"KEYCLOAK_ADMIN_USER": "kcadmin", "KEYCLOAK_ADMIN_PASSWORD": "pw"}
        )
    finally:
        server.shutdown()
    (token_path, _, form), (import_path, headers, body) = FakeKeycloak.received
    assert token_path == "/auth/realms/master/protocol/openid-connect/token" and b"username=kcadmin" in form
    assert import_path == "/auth/admin/realms/modelhub/partialImport"
    assert headers["Authorization"] == "Bearer admin-token"
    payload = json.loads(body)
    assert payload["ifResourceExists"] == "SKIP"
    assert {u["username"] for u in payload["users"]} == DEMO
    by_name = {u["username"]: u for u in SOURCE["users"]}
    for user in payload["users"]:
        assert user == by_name[user["username"]], "the demo users are the realm file's, unchanged"
