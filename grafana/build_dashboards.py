"""Writes grafana/dashboards/*.json from the panel definitions below (run after editing them):

    python grafana/build_dashboards.py

The JSON files are what Grafana loads (provisioning/dashboards/modelhub.yaml); this script keeps the
SQL readable and the four dashboards consistent (datasource, variables, layout). Every query reads
the reporting views of backend/modelhub/stores/metrics/views.py; tests/integration/
test_grafana_dashboards.py runs each one against PostgreSQL holding demo history.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
DATASOURCE = {"type": "grafana-postgresql-datasource", "uid": "modelhub-metrics"}


def query_variable(name: str, label: str, sql: str, multi: bool = True) -> dict:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": sql,
        "definition": sql,
        "refresh": 2,  # on time range change
        "multi": multi,
        "includeAll": multi,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]} if multi else {},
        "sort": 1,
        "hide": 0,
        "options": [],
    }


def custom_variable(name: str, label: str, values: list[str], default: str, multi: bool = False) -> dict:
    return {
        "name": name,
        "label": label,
        "type": "custom",
        "query": ",".join(values),
        "multi": multi,
        "includeAll": multi,
        "current": {"selected": True, "text": default, "value": default},
        "options": [{"selected": v == default, "text": v, "value": v} for v in values],
        "hide": 0,
    }


DEPARTMENT = query_variable(
    "department", "Department", "SELECT DISTINCT department FROM v_executions WHERE $__timeFilter(time) ORDER BY 1"
)


def model_variable(view: str) -> dict:
    return query_variable(
        "model",
        "Model",
        f"SELECT DISTINCT model_name FROM {view} WHERE $__timeFilter(time) AND department IN ($department) ORDER BY 1",
    )


def panel(title: str, sql: str, kind: str = "timeseries", fmt: str = "time_series", **extra) -> dict:
    return {
        "title": title,
        "type": kind,
        "datasource": DATASOURCE,
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorMode": "code",
                "format": fmt,
                "rawQuery": True,
                "rawSql": sql.strip(),
            }
        ],
        **extra,
    }


def bars(unit: str = "short", stacked: bool = True) -> dict:
    return {
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": {
                    "drawStyle": "bars",
                    "fillOpacity": 80,
                    "stacking": {"mode": "normal" if stacked else "none"},
                },
            },
            "overrides": [],
        }
    }


def unit(value: str, **defaults) -> dict:
    return {"fieldConfig": {"defaults": {"unit": value, **defaults}, "overrides": []}}


def dashboard(uid: str, title: str, description: str, variables: list[dict], panels: list[dict]) -> dict:
    laid_out = []
    x = y = 0
    for number, item in enumerate(panels, start=1):
        width = item.pop("width", 12)
        height = item.pop("height", 8)
        if x + width > 24:
            x, y = 0, y + height
        laid_out.append({"id": number, "gridPos": {"x": x, "y": y, "w": width, "h": height}, **item})
        x += width
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["modelhub"],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "5m",
        "time": {"from": "now-30d", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": []},
        "links": [{"title": "ModelHub", "type": "dashboards", "tags": ["modelhub"], "asDropdown": True}],
        "panels": laid_out,
    }


OVERVIEW = dashboard(
    "modelhub-overview",
    "ModelHub · Platform overview",
    "Executions per day by status, durations and failures, over every deployment.",
    [
        DEPARTMENT,
        query_variable(
            "kind", "Pipeline", "SELECT DISTINCT kind FROM v_executions WHERE $__timeFilter(time) ORDER BY 1"
        ),
    ],
    [
        panel(
            "Executions per day by status",
            """
SELECT $__timeGroupAlias(time, 1d), status AS metric, count(*) AS executions
FROM v_executions
WHERE $__timeFilter(time) AND department IN ($department) AND kind IN ($kind)
GROUP BY 1, 2
ORDER BY 1""",
            width=16,
            **bars(),
        ),
        panel(
            "Success rate",
            """
SELECT round(100.0 * count(*) FILTER (WHERE status = 'success') / NULLIF(count(*), 0), 1) AS "success rate"
FROM v_executions
WHERE $__timeFilter(time) AND department IN ($department) AND kind IN ($kind)""",
            kind="stat",
            fmt="table",
            width=4,
            **unit("percent", min=0, max=100),
        ),
        panel(
            "Executions",
            """
SELECT sum(executions) AS executions
FROM v_executions_daily
WHERE $__timeFilter(day) AND department IN ($department) AND kind IN ($kind)""",
            kind="stat",
            fmt="table",
            width=4,
        ),
        panel(
            "Execution duration (p95 per day) by pipeline",
            """
SELECT $__timeGroupAlias(time, 1d), kind AS metric,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_s) AS p95_duration_s
FROM v_executions
WHERE $__timeFilter(time) AND department IN ($department) AND kind IN ($kind) AND status = 'success'
GROUP BY 1, 2
ORDER BY 1""",
            **unit("s"),
        ),
        panel(
            "Executions by pipeline per day",
            """
SELECT day AS time, kind AS metric, sum(executions) AS executions
FROM v_executions_daily
WHERE $__timeFilter(day) AND department IN ($department) AND kind IN ($kind)
GROUP BY 1, 2
ORDER BY 1""",
            **bars(),
        ),
        panel(
            "Task durations",
            """
SELECT kind AS pipeline, task, count(*) AS runs, round(avg(duration_s)::numeric, 1) AS avg_s,
       round(max(duration_s)::numeric, 1) AS max_s,
       count(*) FILTER (WHERE status <> 'success') AS not_successful
FROM v_task_durations
WHERE $__timeFilter(time) AND kind IN ($kind)
GROUP BY 1, 2
ORDER BY 1, 2""",
            kind="table",
            fmt="table",
        ),
        panel(
            "Failures by model",
            """
SELECT $__timeGroupAlias(time, 7d), model_name AS metric, count(*) AS failures
FROM v_executions
WHERE $__timeFilter(time) AND status = 'failed' AND department IN ($department) AND kind IN ($kind)
GROUP BY 1, 2
ORDER BY 1""",
            **bars(),
        ),
        panel(
            "Latest failed or cancelled executions",
            """
SELECT time, model_name, department, deployment_name, kind, status, round(duration_s::numeric, 1) AS duration_s,
       triggered_by, execution_id
FROM v_executions
WHERE $__timeFilter(time) AND status <> 'success' AND department IN ($department) AND kind IN ($kind)
ORDER BY time DESC
LIMIT 50""",
            kind="table",
            fmt="table",
            width=24,
        ),
    ],
)

QUALITY = dashboard(
    "modelhub-quality",
    "ModelHub · Model quality",
    "Evaluation metrics per model and version over time, by department.",
    [
        query_variable(
            "department",
            "Department",
            "SELECT DISTINCT department FROM v_model_quality WHERE $__timeFilter(time) ORDER BY 1",
        ),
        model_variable("v_model_quality"),
        query_variable(
            "metric",
            "Metric",
            "SELECT DISTINCT metric FROM v_model_quality WHERE $__timeFilter(time) ORDER BY 1",
            multi=False,
        ),
        custom_variable("split", "Split", ["validation", "test"], "test"),
    ],
    [
        panel(
            "${metric} by model and version",
            """
SELECT time, model_name || ' v' || version AS metric, value
FROM v_model_quality
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model)
  AND metric = ${metric:sqlstring} AND split = ${split:sqlstring}
ORDER BY 1""",
            width=24,
        ),
        panel(
            "${metric} by department (weekly average)",
            """
SELECT $__timeGroupAlias(day, 7d), department AS metric, avg(value) AS value
FROM v_model_quality_daily
WHERE $__timeFilter(day) AND department IN ($department) AND model_name IN ($model)
  AND metric = ${metric:sqlstring} AND split = ${split:sqlstring}
GROUP BY 1, 2
ORDER BY 1""",
        ),
        panel(
            "Latest ${metric} per model",
            """
SELECT DISTINCT ON (model_name) model_name, department, geography, version, round(value::numeric, 4) AS value,
       time AS evaluated_at
FROM v_model_quality
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model)
  AND metric = ${metric:sqlstring} AND split = ${split:sqlstring}
ORDER BY model_name, time DESC""",
            kind="table",
            fmt="table",
        ),
        panel(
            "Versions compared",
            """
SELECT model_name, version, metric, split, round(avg(value)::numeric, 4) AS mean, count(*) AS evaluations,
       min(time) AS first_evaluated, max(time) AS last_evaluated
FROM v_model_quality
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model)
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4""",
            kind="table",
            fmt="table",
            width=24,
        ),
    ],
)

PREDICTIONS = dashboard(
    "modelhub-predictions",
    "ModelHub · Predictions",
    "Prediction volume and latency per model, online and batch.",
    [
        DEPARTMENT,
        model_variable("v_predictions"),
        custom_variable("source", "Source", ["online", "batch"], "online", multi=True)
        | {"current": {"selected": True, "text": ["All"], "value": ["$__all"]}},
    ],
    [
        panel(
            "Predictions per hour by model",
            """
SELECT $__timeGroupAlias(time, 1h), model_name AS metric, sum(predictions) AS predictions
FROM v_predictions
WHERE $__timeFilter(time) AND predictions IS NOT NULL AND department IN ($department)
  AND model_name IN ($model) AND source IN ($source)
GROUP BY 1, 2
ORDER BY 1""",
            width=16,
            **bars(),
        ),
        panel(
            "Predictions",
            """
SELECT sum(predictions) AS predictions
FROM v_predictions_daily
WHERE $__timeFilter(day) AND department IN ($department) AND model_name IN ($model) AND source IN ($source)""",
            kind="stat",
            fmt="table",
            width=8,
        ),
        panel(
            "Latency (average per hour) by model",
            """
SELECT $__timeGroupAlias(time, 1h), model_name AS metric, avg(latency_ms) AS latency_ms
FROM v_predictions
WHERE $__timeFilter(time) AND latency_ms IS NOT NULL AND department IN ($department)
  AND model_name IN ($model) AND source IN ($source)
GROUP BY 1, 2
ORDER BY 1""",
            **unit("ms"),
        ),
        panel(
            "Predictions per day by department",
            """
SELECT day AS time, department AS metric, sum(predictions) AS predictions
FROM v_predictions_daily
WHERE $__timeFilter(day) AND department IN ($department) AND model_name IN ($model) AND source IN ($source)
GROUP BY 1, 2
ORDER BY 1""",
            **bars(),
        ),
        panel(
            "Top models and callers",
            """
SELECT model_name, version, caller, source, sum(predictions) AS predictions,
       round(avg(latency_ms)::numeric, 1) AS avg_latency_ms
FROM v_predictions
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model) AND source IN ($source)
GROUP BY 1, 2, 3, 4
ORDER BY 5 DESC NULLS LAST
LIMIT 25""",
            kind="table",
            fmt="table",
            width=24,
        ),
    ],
)

DRIFT = dashboard(
    "modelhub-drift",
    "ModelHub · Drift",
    "Drift statistics per model and feature from the monitoring jobs.",
    [
        query_variable(
            "department", "Department", "SELECT DISTINCT department FROM v_drift WHERE $__timeFilter(time) ORDER BY 1"
        ),
        model_variable("v_drift"),
        query_variable("test", "Test", "SELECT DISTINCT test FROM v_drift WHERE $__timeFilter(time) ORDER BY 1"),
    ],
    [
        panel(
            "Drifted features per day by model",
            """
SELECT day AS time, model_name AS metric, sum(drifted) AS drifted_features
FROM v_drift_daily
WHERE $__timeFilter(day) AND department IN ($department) AND model_name IN ($model) AND test IN ($test)
GROUP BY 1, 2
ORDER BY 1""",
            width=24,
            **bars(),
        ),
        panel(
            "Statistic by model and feature",
            """
SELECT time, model_name || ' · ' || feature || ' (' || test || ')' AS metric, statistic
FROM v_drift
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model) AND test IN ($test)
ORDER BY 1""",
        ),
        panel(
            "Latest check per model and feature",
            """
SELECT DISTINCT ON (model_name, feature) model_name, version, feature, test,
       round(statistic::numeric, 4) AS statistic, drifted, time AS checked_at
FROM v_drift
WHERE $__timeFilter(time) AND department IN ($department) AND model_name IN ($model) AND test IN ($test)
ORDER BY model_name, feature, time DESC""",
            kind="table",
            fmt="table",
        ),
    ],
)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, board in (("overview", OVERVIEW), ("quality", QUALITY), ("predictions", PREDICTIONS), ("drift", DRIFT)):
        (OUT / f"{name}.json").write_text(json.dumps(board, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
