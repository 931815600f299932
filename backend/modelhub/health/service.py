"""Readiness: ping every component concurrently, each within the dependency timeout."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from modelhub.context import AppContext
from modelhub.errors import ModelHubError

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness")


def check_component(component) -> dict:
    started = time.perf_counter()
    try:
        component.ping()
        status, error = "ok", None
    except ModelHubError as exc:
        status, error = "unavailable", exc.message
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure instead of raising
        status, error = "unavailable", f"{type(exc).__name__}: {exc}"
    result = {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        result["error"] = error
    return result


def readiness(context: AppContext) -> dict[str, dict]:
    futures = {name: _pool.submit(check_component, c) for name, c in context.components().items()}
    timeout = context.settings.dependency_timeout_s + 1
    report = {}
    for name, future in futures.items():
        try:
            report[name] = future.result(timeout=timeout)
        except FutureTimeout:
            report[name] = {"status": "unavailable", "error": f"no answer within {timeout:.0f}s"}
    return report
