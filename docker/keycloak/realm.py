"""The production realm and the demo users, both from the one realm file the tests load into Keycloak.

    python realm.py prepare --source realm-modelhub.json --out /import/realm-modelhub.json
        writes the realm Keycloak imports at its first start (`start --import-realm`): the same roles,
        groups, clients and mappers as the tests use, without the demo users (the confidential clients'
        service-account users stay), with the confidential clients' secrets taken from the environment
        (KEYCLOAK_PIPELINES_CLIENT_SECRET, KEYCLOAK_ADMIN_API_CLIENT_SECRET), the web client's root
        URL, redirect URIs and web origins set to PUBLIC_URL (plus EXTRA_REDIRECT_URLS,
        comma-separated) and its password grant (used by the tests) off. Refuses to write a realm
        that still carries a known secret.
    python realm.py demo-users --source realm-modelhub.json --keycloak http://keycloak:8080/auth
        adds the demo users of the same file to the running realm through the admin API's partial
        import (existing users are skipped), as the bootstrap admin (KEYCLOAK_ADMIN_USER/PASSWORD).

Standard library only: it runs in the backend image, or anywhere with Python 3.11.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

# Environment variable holding each confidential client's secret.
CLIENT_SECRETS = {
    "modelhub-pipelines": "KEYCLOAK_PIPELINES_CLIENT_SECRET",
    "modelhub-admin-api": "KEYCLOAK_ADMIN_API_CLIENT_SECRET",
}
WEB_CLIENT = "modelhub-web"
MIN_SECRET_LENGTH = 16


class RealmError(Exception):
    pass


def is_demo_user(user: dict[str, Any]) -> bool:
    """A person of the demo realm (it has a password); service-account users belong to their clients."""
    return not user.get("serviceAccountClientId") and not user.get("username", "").startswith("service-account-")


def demo_users(realm: dict[str, Any]) -> list[dict[str, Any]]:
    return [user for user in realm.get("users", []) if is_demo_user(user)]


def production_realm(realm: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """The realm to import in production: see the module docstring."""
    realm = json.loads(json.dumps(realm))  # a deep copy: the source stays as the tests load it
    known_secrets = {c.get("secret") for c in realm.get("clients", []) if c.get("secret")}
    realm["users"] = [user for user in realm.get("users", []) if not is_demo_user(user)]

    public_url = env.get("PUBLIC_URL", "").rstrip("/")
    if not public_url.startswith(("http://", "https://")):
        raise RealmError(f"PUBLIC_URL must be an http(s) URL, not {public_url!r}")
    extra = [u.strip().rstrip("/") for u in env.get("EXTRA_REDIRECT_URLS", "").split(",") if u.strip()]
    origins = [public_url, *extra]

    seen = set()
    for client in realm.get("clients", []):
        client_id = client.get("clientId")
        if client_id in CLIENT_SECRETS:
            name = CLIENT_SECRETS[client_id]
            secret = env.get(name, "")
            if len(secret) < MIN_SECRET_LENGTH:
                raise RealmError(f"{name} must be set to a secret of at least {MIN_SECRET_LENGTH} characters")
            if secret in known_secrets:
                raise RealmError(f"{name} is the demo realm's published secret: generate a new one")
            client["secret"] = secret
            seen.add(client_id)
        elif client_id == WEB_CLIENT:
            client["rootUrl"] = public_url
            client["redirectUris"] = [f"{origin}/*" for origin in origins]
            client["webOrigins"] = origins
            # Browsers sign in with the authorization code flow + PKCE; the password grant the tests
            # use to get tokens for the demo users stays off in production.
            client["directAccessGrantsEnabled"] = False
            seen.add(client_id)
    missing = (set(CLIENT_SECRETS) | {WEB_CLIENT}) - seen
    if missing:
        raise RealmError(f"the realm file lacks the clients {sorted(missing)}")
    return realm


def prepare(source: Path, out: Path, env: dict[str, str]) -> None:
    source_realm = json.loads(source.read_text(encoding="utf-8"))
    realm = production_realm(source_realm, env)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(realm, indent=2) + "\n", encoding="utf-8")
    tmp.chmod(0o644)  # Keycloak runs as another user
    tmp.replace(out)
    print(f"realm {realm['realm']!r} written to {out}, without its {len(demo_users(source_realm))} demo users")


def _request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    if not url.startswith(("http://", "https://")):
        raise RealmError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - scheme checked above
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
    return json.loads(body) if body else None


def add_demo_users(source: Path, keycloak: str, env: dict[str, str], attempts: int = 30) -> None:
    realm = json.loads(source.read_text(encoding="utf-8"))
    keycloak = keycloak.rstrip("/")
    form = urllib.parse.urlencode(
        {
            "grant_type": "password",
            "client_id": "admin-cli",
            "username": env.get("KEYCLOAK_ADMIN_USER", "admin"),
            "password": env["KEYCLOAK_ADMIN_PASSWORD"],
        }
    ).encode()
    for attempt in range(attempts):  # Keycloak may still be importing the realm
        try:
            token = _request(f"{keycloak}/realms/master/protocol/openid-connect/token", data=form)["access_token"]
            break
        except (urllib.error.URLError, OSError) as exc:
            if attempt == attempts - 1:
                raise RealmError(f"cannot get an admin token from {keycloak}: {exc}") from exc
            time.sleep(2)
    payload = {"ifResourceExists": "SKIP", "users": demo_users(realm)}
    result = _request(
        f"{keycloak}/admin/realms/{realm['realm']}/partialImport",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    print(f"demo users: {result.get('added', 0)} added, {result.get('skipped', 0)} already there")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("--source", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    d = commands.add_parser("demo-users")
    d.add_argument("--source", type=Path, required=True)
    d.add_argument("--keycloak", required=True, help="Keycloak's base URL including its relative path")
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            prepare(args.source, args.out, dict(os.environ))
        else:
            add_demo_users(args.source, args.keycloak, dict(os.environ))
    except (RealmError, KeyError, urllib.error.HTTPError) as exc:
        print(f"realm.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
