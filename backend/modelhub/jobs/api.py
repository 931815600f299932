"""The backend API as a job sees it: a service token, the claim of an execution, the report."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from modelhub.config import Settings


class JobError(Exception):
    """A failure the job explains in one sentence (printed as `ERROR: ...`, the task's message)."""


def service_secret(settings: Settings) -> str:
    secret = settings.service_client_secret.get_secret_value()
    if secret:
        return secret
    path = settings.data_dir / "auth" / "service-client-secret"
    if settings.builtin_issuer and path.exists():
        return path.read_text().strip()
    raise JobError(
        "no service credential: set MODELHUB_SERVICE_CLIENT_SECRET (or MODELHUB_DATA_DIR to the API's data dir "
        "with the built-in issuer) in Airflow's environment"
    )


_retry = retry(
    retry=retry_if_exception_type(httpx.TransportError),
    stop=stop_after_attempt(5),
    wait=wait_exponential(multiplier=0.5, max=8),
    reraise=True,
)


class JobAPI:
    def __init__(self, api_url: str, settings: Settings, timeout_s: float = 30.0):
        self.api_url = api_url.rstrip("/")
        self.settings = settings
        self.http = httpx.Client(base_url=self.api_url, timeout=timeout_s)
        self._token: tuple[str, float] | None = None

    def close(self) -> None:
        self.http.close()

    @_retry
    def _fetch_token(self) -> tuple[str, float]:
        settings = self.settings
        if settings.builtin_issuer:
            url = f"{self.api_url}/api/auth/token"
        else:
            url = f"{settings.auth_issuer}/protocol/openid-connect/token"
        response = httpx.post(
            url,
            data={
                "grant_type": "client_credentials",
                "client_id": settings.service_client_id,
                "client_secret": service_secret(settings),
            },
            timeout=30,
        )
        if response.status_code != 200:
            raise JobError(
                f"the service credential was refused by {url} ({response.status_code}): {response.text[:300]}"
            )
        body = response.json()
        return body["access_token"], time.monotonic() + max(30, int(body.get("expires_in", 300)) - 30)

    def _headers(self) -> dict[str, str]:
        if self._token is None or self._token[1] <= time.monotonic():
            self._token = self._fetch_token()
        return {"Authorization": f"Bearer {self._token[0]}"}

    @_retry
    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.http.request(method, path, headers=self._headers(), **kwargs)
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:300]
            raise JobError(f"{method} {path} answered {response.status_code}: {message}")
        return response.json() if response.content else None

    def claim(self, execution_id: str, deployment_id: str, dag_id: str, run_id: str) -> dict[str, Any]:
        body = {"deployment_id": deployment_id, "dag_id": dag_id, "run_id": run_id}
        return self._call("POST", f"/api/executions/{execution_id}/claim", json=body)

    def report(self, execution_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", f"/api/executions/{execution_id}/report", json=body)

    # -- the registry, as the service account sees it ---------------------------------------------
    def get_model(self, model_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/models/{model_id}")

    def find_version(self, model_id: str, ref: str | int) -> dict[str, Any] | None:
        """A version by number or alias; None when the model has no such version or alias."""
        try:
            return self._call("GET", f"/api/models/{model_id}/versions/{ref}")
        except JobError as exc:
            if " answered 404:" in str(exc):
                return None
            raise

    def upload_version(self, model_id: str, path, filename: str, fields: dict[str, str]) -> dict[str, Any]:
        with open(path, "rb") as stream:
            files = {"file": (filename, stream, "application/octet-stream")}
            return self._call("POST", f"/api/models/{model_id}/versions", files=files, data=fields, timeout=600)

    def set_alias(self, model_id: str, alias: str, version: int) -> dict[str, Any]:
        return self._call("PUT", f"/api/models/{model_id}/aliases/{alias}", json={"version": version})

    @contextlib.contextmanager
    def download_artifact(self, model_id: str, version: int, suffix: str = "") -> Iterator[Path]:
        """A version's file in a private temporary file, streamed from the API."""
        fd, name = tempfile.mkstemp(prefix="modelhub-job-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as out:
                path = f"/api/models/{model_id}/versions/{version}/artifact"
                with self.http.stream("GET", path, headers=self._headers(), timeout=600) as response:
                    if response.status_code != 200:
                        response.read()
                        raise JobError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
                    for chunk in response.iter_bytes():
                        out.write(chunk)
            yield Path(name)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
