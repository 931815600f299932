"""A real Keycloak for the e2e's OIDC check: tests.harness.keycloak's server with the demo realm
(docker/keycloak/realm-modelhub.json), its web client also allowing the e2e app's origin. Prints one
JSON line {"issuer": ..., "base_url": ...} once it serves; SIGTERM/SIGINT stops it.

    python frontend/e2e/keycloak.py WORKDIR APP_ORIGIN
"""

import json
import signal
import sys
import threading
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.harness.keycloak import KeycloakServer


def admin(kc: KeycloakServer, method: str, path: str, body=None):
    request = urllib.request.Request(  # noqa: S310 (the local Keycloak's http URL)
        f"{kc.base_url}/admin/realms/modelhub{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {kc.admin_token()}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def main(workdir: Path, origin: str) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    kc = KeycloakServer(workdir)
    try:
        kc.install()
        kc.start()
        (web,) = admin(kc, "GET", "/clients?clientId=modelhub-web")
        web["redirectUris"] = [*web.get("redirectUris", []), f"{origin}/*"]
        web["webOrigins"] = [*web.get("webOrigins", []), origin]
        admin(kc, "PUT", f"/clients/{web['id']}", web)
        print(json.dumps({"issuer": kc.issuer, "base_url": kc.base_url}), flush=True)
        stop.wait()
        return 0
    finally:
        kc.stop()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2].rstrip("/")))
