"""Monitoring: compare recent inputs of a model version with its reference statistics.

The current sample is the deployment's dataset when it has one, else the inputs sampled in the
prediction log over the last `window_hours` (read through the API: jobs never open the backend's
databases). The reference is the version's `reference_stats` (saved at training time,
modelhub/drift/reference.py). KS, chi-square and PSI per feature (modelhub/drift/statistics.py);
the report goes to `POST /api/models/{id}/drift`, which writes the `drift.statistic` points and
marks the model, and to `executions/<id>/results/drift.json`.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from modelhub.jobs.api import JobError
from modelhub.jobs.context import JobContext

DEFAULTS = {
    "window_hours": 24,
    "min_samples": 100,
    "max_samples": 50_000,
    "features": None,
    "thresholds": {},
    "tests": ["ks", "chi2", "psi"],
}
RESULT_NAME = "drift.json"
PAGE = 10_000  # logged requests read per API call


def logged_inputs(context: JobContext, model_id: str, version: int, since: datetime, max_samples: int):
    import pandas as pd

    body = context.api._call(
        "GET",
        f"/api/models/{model_id}/predictions",
        params={"version": version, "since": since.isoformat(), "limit": PAGE},
    )
    records: list[dict[str, Any]] = []
    for entry in body["items"]:
        records.extend(entry["inputs"])
        if len(records) >= max_samples:
            break
    return pd.DataFrame.from_records(records[:max_samples])


def dataset_inputs(context: JobContext, dataset: dict[str, Any], max_samples: int):
    import pandas as pd

    from modelhub.jobs.batch_scoring import read_batches

    frames, rows = [], 0
    for batch in read_batches(context, dataset, min(max_samples, 50_000)):
        frames.append(batch)
        rows += len(batch)
        if rows >= max_samples:
            break
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).iloc[:max_samples]


def run(context: JobContext) -> dict[str, Any]:
    from modelhub.drift.statistics import DEFAULT_THRESHOLDS, compare

    params = {**DEFAULTS, **context.params}
    thresholds = {**DEFAULT_THRESHOLDS, **(params["thresholds"] or {})}
    model = context.inputs["model"]
    version = context.api._call("GET", f"/api/models/{model['id']}/versions/{model['version']}")
    reference = version.get("reference_stats")
    if not reference or not reference.get("columns"):
        raise JobError(
            f"version {model['version']} of {model['name']} has no reference statistics: register it with the "
            "form field reference_stats (modelhub.drift.reference.compute_reference of the training features)"
        )
    dataset = context.inputs.get("dataset")
    if dataset:
        source, window = "dataset", None
        frame = dataset_inputs(context, dataset, params["max_samples"])
        print(f"monitoring: {len(frame)} rows of dataset {dataset['name']}", flush=True)
    else:
        source, window = "prediction_log", float(params["window_hours"])
        since = datetime.now(UTC) - timedelta(hours=window)
        frame = logged_inputs(context, model["id"], model["version"], since, params["max_samples"])
        print(f"monitoring: {len(frame)} logged input records since {since.isoformat()}", flush=True)

    result = compare(
        reference,
        frame,
        thresholds=thresholds,
        tests=tuple(params["tests"]),
        features=params["features"],
        min_samples=params["min_samples"],
    )
    for name, feature in result["features"].items():
        tests = ", ".join(
            f"{t} {v['statistic']:.4g}" + (f" (p={v['p_value']:.3g})" if "p_value" in v else "")
            for t, v in (feature.get("tests") or {}).items()
        )
        state = (
            "DRIFT" if feature.get("drifted") else ("skipped: " + feature["skipped"] if "skipped" in feature else "ok")
        )
        print(f"  {name}: {tests} {state}", flush=True)

    execution = context.inputs.get("execution") or {}
    report = context.api._call(
        "POST",
        f"/api/models/{model['id']}/drift",
        json={
            "version": model["version"],
            "deployment_id": execution.get("deployment_id"),
            "execution_id": context.execution_id,
            "source": source,
            "samples": result["samples"],
            "window_hours": window,
            "thresholds": thresholds,
            "features": result["features"],
            "drifted_features": result["drifted_features"],
        },
    )
    with tempfile.TemporaryDirectory(prefix="modelhub-monitoring-") as tmp:
        path = Path(tmp) / RESULT_NAME
        path.write_text(json.dumps(report, indent=2))
        info = context.upload_result(RESULT_NAME, path, "application/json")
    drifted = result["drifted_features"]
    print(f"drift status {report['status']}: {', '.join(drifted) if drifted else 'no feature drifted'}", flush=True)
    return {
        "model_version": model["version"],
        "rows": result["samples"],
        "results": [
            {"name": RESULT_NAME, "size": info.size, "sha256": info.sha256, "content_type": "application/json"}
        ],
    }
