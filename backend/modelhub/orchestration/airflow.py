"""A small client of Airflow's REST API v2 (Airflow 3), with token auth, timeouts and retries.

Every call has a timeout, and calls that are safe to repeat (GET, PATCH, DELETE, and a POST whose
request never reached the server) are retried with exponential backoff inside a bounded time
budget. When Airflow cannot be reached the client raises `OrchestratorUnavailable` (503, component
"orchestrator"), so the API keeps serving what does not need Airflow. A missing DAG or run is
`None`, not an error: callers decide what that means.

Facts this relies on (docs/servers-airflow.md): `POST /auth/token` gives a JWT; a trigger needs
`"logical_date": null`; task logs need `Accept: application/json`; run ids hold ':' and '+' and
are URL-quoted.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from modelhub.errors import Conflict, DependencyUnavailable

log = structlog.get_logger()

RETRYABLE_STATUS = frozenset({502, 503, 504})
PAGE = 100


class OrchestratorUnavailable(DependencyUnavailable):
    def __init__(self, detail: str | None = None):
        super().__init__("orchestrator", "orchestrator unavailable" + (f": {detail}" if detail else ""))


class _Retryable(Exception):
    """A response worth another try (Airflow restarting: 502/503/504)."""

    def __init__(self, response: httpx.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class AirflowClient:
    component = "orchestrator"

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        timeout_s: float = 5.0,
        attempts: int = 3,
    ):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout_s = timeout_s
        self.attempts = attempts
        self._http = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(timeout_s, connect=min(2.0, timeout_s)),
            headers={"Accept": "application/json"},
        )
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # -- transport ------------------------------------------------------------------------------
    def _retrying(self, safe: bool) -> Retrying:
        def worth_retrying(exc: BaseException) -> bool:
            if isinstance(exc, _Retryable):
                return safe
            if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
                return True  # the request never reached Airflow: safe even for a POST
            return safe and isinstance(exc, httpx.TransportError)

        def before_sleep(state: RetryCallState) -> None:
            log.debug(
                "airflow call failed, retrying", attempt=state.attempt_number, error=str(state.outcome.exception())
            )

        return Retrying(
            retry=retry_if_exception(worth_retrying),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.timeout_s),
            wait=wait_exponential(multiplier=0.25, max=2.0),
            before_sleep=before_sleep,
            reraise=True,
        )

    def _send(self, method: str, path: str, auth: bool, **kwargs) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if auth:
            headers["Authorization"] = f"Bearer {self._bearer()}"
        response = self._http.request(method, path, headers=headers, **kwargs)
        if response.status_code in RETRYABLE_STATUS:
            raise _Retryable(response)
        return response

    def request(
        self, method: str, path: str, *, auth: bool = True, safe: bool | None = None, **kwargs
    ) -> httpx.Response:
        """One call with retries; 401 refreshes the token once. Raises OrchestratorUnavailable."""
        safe = method in ("GET", "PATCH", "DELETE", "PUT") if safe is None else safe
        try:
            response = self._retrying(safe)(self._send, method, path, auth, **kwargs)
            if response.status_code == 401 and auth:
                self._token = None
                response = self._retrying(safe)(self._send, method, path, auth, **kwargs)
        except _Retryable as exc:
            raise OrchestratorUnavailable(f"Airflow answered {exc.response.status_code} to {method} {path}") from exc
        except httpx.HTTPError as exc:
            raise OrchestratorUnavailable(f"{type(exc).__name__} on {method} {path}: {exc}") from exc
        if response.status_code in (401, 403):
            raise OrchestratorUnavailable(
                f"Airflow refused ModelHub's credentials ({response.status_code}); "
                "check MODELHUB_AIRFLOW_USERNAME/PASSWORD"
            )
        return response

    def _bearer(self) -> str:
        token = self._token
        if token and token[1] > time.monotonic():
            return token[0]
        with self._token_lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            response = self._http.post("/auth/token", json={"username": self.username, "password": self.password})
            if response.status_code in RETRYABLE_STATUS:
                raise _Retryable(response)
            if response.status_code not in (200, 201):
                raise OrchestratorUnavailable(
                    f"Airflow refused ModelHub's credentials ({response.status_code}); "
                    "check MODELHUB_AIRFLOW_USERNAME/PASSWORD"
                )
            # Airflow's tokens last 24 h by default; take a fresh one every hour.
            self._token = (response.json()["access_token"], time.monotonic() + 3600)
            return self._token[0]

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        if response.status_code >= 400:
            raise OrchestratorUnavailable(f"{what}: Airflow answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    # -- health ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._json(self.request("GET", "/api/v2/monitor/health", auth=False), "health")

    def ping(self) -> None:
        health = self.health()
        for component in ("metadatabase", "scheduler", "dag_processor"):
            status = (health.get(component) or {}).get("status")
            if status != "healthy":
                raise OrchestratorUnavailable(f"Airflow's {component} is {status or 'not running'}")

    # -- DAGs -----------------------------------------------------------------------------------
    def get_dag(self, dag_id: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/api/v2/dags/{_quote(dag_id)}")
        return None if response.status_code == 404 else self._json(response, f"get DAG {dag_id}")

    def set_paused(self, dag_id: str, paused: bool) -> dict[str, Any] | None:
        response = self.request("PATCH", f"/api/v2/dags/{_quote(dag_id)}", json={"is_paused": paused})
        return None if response.status_code == 404 else self._json(response, f"pause DAG {dag_id}")

    def delete_dag(self, dag_id: str) -> bool:
        """Remove a DAG and its history from Airflow; False when Airflow does not know it.
        Conflict while some of its tasks still run (Airflow refuses then)."""
        response = self.request("DELETE", f"/api/v2/dags/{_quote(dag_id)}")
        if response.status_code == 404:
            return False
        if response.status_code == 409:
            raise Conflict(f"Airflow still runs tasks of {dag_id}", details={"dag_id": dag_id})
        self._json(response, f"delete DAG {dag_id}")
        return True

    def list_dags(self, prefix: str) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self._json(
                self.request(
                    "GET",
                    "/api/v2/dags",
                    params={
                        "dag_id_prefix_pattern": prefix,
                        "exclude_stale": "false",
                        "limit": PAGE,
                        "offset": offset,
                        "order_by": "dag_id",
                    },
                ),
                "list DAGs",
            )
            dags = body.get("dags") or []
            yield from dags
            offset += len(dags)
            if not dags or offset >= (body.get("total_entries") or 0):
                return

    # -- runs -----------------------------------------------------------------------------------
    def trigger(self, dag_id: str, conf: dict[str, Any]) -> dict[str, Any] | None:
        """Start a run now; None when Airflow does not know the DAG (yet)."""
        response = self.request(
            "POST", f"/api/v2/dags/{_quote(dag_id)}/dagRuns", json={"logical_date": None, "conf": conf}
        )
        return None if response.status_code == 404 else self._json(response, f"trigger DAG {dag_id}")

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/api/v2/dags/{_quote(dag_id)}/dagRuns/{_quote(run_id)}")
        return None if response.status_code == 404 else self._json(response, f"get run {run_id}")

    def set_run_state(self, dag_id: str, run_id: str, state: str) -> dict[str, Any] | None:
        response = self.request(
            "PATCH", f"/api/v2/dags/{_quote(dag_id)}/dagRuns/{_quote(run_id)}", json={"state": state}
        )
        return None if response.status_code == 404 else self._json(response, f"set state of run {run_id}")

    def runs_updated_since(self, dag_prefix: str, since: str, max_runs: int = 1000) -> list[dict[str, Any]]:
        """Runs of the DAGs with this prefix changed at or after `since` (ISO), oldest change first."""
        runs: list[dict[str, Any]] = []
        while len(runs) < max_runs:
            body = self._json(
                self.request(
                    "GET",
                    "/api/v2/dags/~/dagRuns",
                    params={
                        "dag_id_prefix_pattern": dag_prefix,
                        "updated_at_gte": since,
                        "order_by": "updated_at",
                        "limit": PAGE,
                        "offset": len(runs),
                    },
                ),
                "list runs",
            )
            page = body.get("dag_runs") or []
            runs.extend(page)
            if len(page) < PAGE:
                break
        return runs

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]] | None:
        response = self.request("GET", f"/api/v2/dags/{_quote(dag_id)}/dagRuns/{_quote(run_id)}/taskInstances")
        if response.status_code == 404:
            return None
        return self._json(response, f"task instances of {run_id}").get("task_instances") or []

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> list[Any] | None:
        """A task try's log as Airflow's structured events (dicts with event, level, timestamp, ...)."""
        response = self.request(
            "GET",
            f"/api/v2/dags/{_quote(dag_id)}/dagRuns/{_quote(run_id)}/taskInstances/{_quote(task_id)}/logs/{try_number}",
            params={"full_content": "true"},
        )
        if response.status_code == 404:
            return None
        content = self._json(response, f"log of {task_id}").get("content")
        if isinstance(content, str):
            return content.splitlines()
        return list(content or [])
