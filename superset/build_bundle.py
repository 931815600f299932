"""Writes superset/bundle/ — ModelHub's Superset dashboard in the YAML format of `superset
export-dashboards` / `superset import-dashboards` (database, datasets, charts, dashboard):

    python superset/build_bundle.py

The bundle is generated so that the SQL, the datasets' columns and the charts stay consistent; the
files are what superset/import_bundle.py zips and imports. Datasets are the reporting views of
backend/modelhub/stores/metrics/views.py. Every chart carries a saved `query_context`, which is what
Superset's chart data API (`GET /api/v1/chart/{id}/data/`) runs; tests/integration/
test_superset_dashboards.py checks that each one returns rows.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent / "bundle"
NAMESPACE = uuid.UUID("6f1c0a52-3b7e-4d7e-9a53-6d6f64656c68")
VERSION = "1.0.0"
DATABASE_NAME = "ModelHub metrics"
# Replaced at import time from MODELHUB_SUPERSET_METRICS_URI (superset/import_bundle.py).
PLACEHOLDER_URI = "postgresql+psycopg2://modelhub@metrics:5432/modelhub"
TIME_RANGE = "No filter"  # the demo history spans months; narrow it with the dashboard's time filter


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


DATABASE_UUID = uid("database", DATABASE_NAME)

# dataset -> (time column, {column: type}, {saved metric: SQL})
DATASETS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "v_executions_daily": (
        "day",
        {
            "day": "TIMESTAMP WITH TIME ZONE",
            "kind": "TEXT",
            "model_id": "TEXT",
            "model_name": "TEXT",
            "department": "TEXT",
            "status": "TEXT",
            "executions": "BIGINT",
            "total_duration_s": "DOUBLE PRECISION",
            "avg_duration_s": "DOUBLE PRECISION",
            "max_duration_s": "DOUBLE PRECISION",
        },
        {
            "executions": "SUM(executions)",
            "failed_executions": "SUM(CASE WHEN status = 'failed' THEN executions ELSE 0 END)",
            "success_rate": "100.0 * SUM(CASE WHEN status = 'success' THEN executions ELSE 0 END)"
            " / NULLIF(SUM(executions), 0)",
            "avg_duration_s": "SUM(total_duration_s) / NULLIF(SUM(executions), 0)",
        },
    ),
    "v_model_quality_daily": (
        "day",
        {
            "day": "TIMESTAMP WITH TIME ZONE",
            "model_id": "TEXT",
            "model_name": "TEXT",
            "department": "TEXT",
            "geography": "TEXT",
            "version": "TEXT",
            "metric": "TEXT",
            "split": "TEXT",
            "value": "DOUBLE PRECISION",
            "evaluations": "BIGINT",
        },
        {"avg_value": "AVG(value)"},
    ),
    "v_predictions_daily": (
        "day",
        {
            "day": "TIMESTAMP WITH TIME ZONE",
            "model_id": "TEXT",
            "model_name": "TEXT",
            "department": "TEXT",
            "version": "TEXT",
            "source": "TEXT",
            "predictions": "DOUBLE PRECISION",
            "avg_latency_ms": "DOUBLE PRECISION",
            "max_latency_ms": "DOUBLE PRECISION",
        },
        {"predictions": "SUM(predictions)", "avg_latency_ms": "AVG(avg_latency_ms)"},
    ),
    "v_drift_daily": (
        "day",
        {
            "day": "TIMESTAMP WITH TIME ZONE",
            "model_id": "TEXT",
            "model_name": "TEXT",
            "department": "TEXT",
            "feature": "TEXT",
            "test": "TEXT",
            "tests": "BIGINT",
            "drifted": "BIGINT",
            "max_statistic": "DOUBLE PRECISION",
        },
        {"drifted_features": "SUM(drifted)", "checks": "SUM(tests)"},
    ),
    "v_task_durations": (
        "time",
        {
            "time": "TIMESTAMP WITH TIME ZONE",
            "execution_id": "TEXT",
            "deployment_id": "TEXT",
            "kind": "TEXT",
            "task": "TEXT",
            "status": "TEXT",
            "duration_s": "DOUBLE PRECISION",
        },
        {"avg_duration_s": "AVG(duration_s)", "runs": "COUNT(*)"},
    ),
}


def where(*clauses: tuple[str, str, object]) -> list[dict]:
    """Adhoc filters (form data) for simple equality / IN clauses."""
    return [
        {
            "expressionType": "SIMPLE",
            "clause": "WHERE",
            "subject": column,
            "operator": operator,
            "comparator": value,
        }
        for column, operator, value in clauses
    ]


def query_filters(*clauses: tuple[str, str, object]) -> list[dict]:
    """The same clauses as a query object's filters."""
    ops = {"==": "==", "IN": "IN", "!=": "!="}
    return [{"col": column, "op": ops[operator], "val": value} for column, operator, value in clauses]


# chart name -> definition
CHARTS: list[dict] = [
    {
        "name": "Executions per day by status",
        "viz": "echarts_timeseries_bar",
        "dataset": "v_executions_daily",
        "metrics": ["executions"],
        "groupby": ["status"],
        "stack": True,
        "width": 8,
    },
    {
        "name": "Success rate (%)",
        "viz": "big_number_total",
        "dataset": "v_executions_daily",
        "metrics": ["success_rate"],
    },
    {
        "name": "Average execution duration by pipeline (s)",
        "viz": "echarts_timeseries_line",
        "dataset": "v_executions_daily",
        "metrics": ["avg_duration_s"],
        "groupby": ["kind"],
        "width": 6,
    },
    {
        "name": "Failures by model",
        "viz": "table",
        "dataset": "v_executions_daily",
        "metrics": ["failed_executions", "executions"],
        "groupby": ["model_name", "department"],
        "width": 6,
    },
    {
        "name": "Model accuracy over time (test split)",
        "viz": "echarts_timeseries_line",
        "dataset": "v_model_quality_daily",
        "metrics": ["avg_value"],
        "groupby": ["model_name"],
        "filters": (("metric", "==", "accuracy"), ("split", "==", "test")),
        "width": 6,
    },
    {
        "name": "Model quality by department (test split)",
        "viz": "table",
        "dataset": "v_model_quality_daily",
        "metrics": ["avg_value"],
        "groupby": ["department", "metric"],
        "filters": (("split", "==", "test"),),
        "width": 6,
    },
    {
        "name": "Predictions per day by department",
        "viz": "echarts_timeseries_bar",
        "dataset": "v_predictions_daily",
        "metrics": ["predictions"],
        "groupby": ["department"],
        "stack": True,
        "width": 6,
    },
    {
        "name": "Prediction latency by model (ms)",
        "viz": "echarts_timeseries_line",
        "dataset": "v_predictions_daily",
        "metrics": ["avg_latency_ms"],
        "groupby": ["model_name"],
        "filters": (("source", "==", "online"),),
        "width": 6,
    },
    {
        "name": "Top models by predictions",
        "viz": "table",
        "dataset": "v_predictions_daily",
        "metrics": ["predictions"],
        "groupby": ["model_name", "department"],
        "width": 6,
    },
    {
        "name": "Drifted features per day by model",
        "viz": "echarts_timeseries_bar",
        "dataset": "v_drift_daily",
        "metrics": ["drifted_features"],
        "groupby": ["model_name"],
        "stack": True,
        "width": 6,
    },
    {
        "name": "Task durations",
        "viz": "table",
        "dataset": "v_task_durations",
        "metrics": ["avg_duration_s", "runs"],
        "groupby": ["kind", "task"],
        "width": 12,
    },
]


def chart_files(chart: dict) -> tuple[str, dict]:
    dataset = chart["dataset"]
    time_column = DATASETS[dataset][0]
    timeseries = chart["viz"].startswith("echarts_timeseries")
    clauses = chart.get("filters", ())
    params: dict = {
        "datasource": f"__{dataset}",  # replaced by "<id>__table" on import
        "viz_type": chart["viz"],
        "metrics": chart["metrics"],
        "adhoc_filters": [
            {
                "expressionType": "SIMPLE",
                "clause": "WHERE",
                "subject": time_column,
                "operator": "TEMPORAL_RANGE",
                "comparator": TIME_RANGE,
            },
            *where(*clauses),
        ],
        "row_limit": 10000,
        "time_range": TIME_RANGE,
    }
    columns: list = []
    if timeseries:
        params.update(
            x_axis=time_column,
            time_grain_sqla="P1D",
            groupby=chart.get("groupby", []),
            stack="Stack" if chart.get("stack") else None,
            show_legend=True,
            rich_tooltip=True,
            truncate_metric=True,
        )
        columns = [
            {
                "timeGrain": "P1D",
                "columnType": "BASE_AXIS",
                "sqlExpression": time_column,
                "label": time_column,
                "expressionType": "SQL",
            },
            *chart.get("groupby", []),
        ]
    elif chart["viz"] == "table":
        params.update(
            query_mode="aggregate",
            groupby=chart.get("groupby", []),
            order_desc=True,
            timeseries_limit_metric=chart["metrics"][0],
            table_timestamp_format="smart_date",
        )
        columns = list(chart.get("groupby", []))
    elif chart["viz"] == "big_number_total":
        params.update(metric=chart["metrics"][0], subheader="over the selected period", y_axis_format="~g")
        params.pop("metrics")
    query = {
        "filters": [{"col": time_column, "op": "TEMPORAL_RANGE", "val": TIME_RANGE}, *query_filters(*clauses)],
        "extras": {"having": "", "where": "", **({"time_grain_sqla": "P1D"} if timeseries else {})},
        "applied_time_extras": {},
        "columns": columns,
        "metrics": chart["metrics"],
        "orderby": [[chart["metrics"][0], False]],
        "annotation_layers": [],
        "row_limit": 10000,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }
    if timeseries:
        query["series_columns"] = chart.get("groupby", [])
        query["orderby"] = []
    query_context = {
        "datasource": {"id": 0, "type": "table"},  # replaced on import
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    doc = {
        "slice_name": chart["name"],
        "description": None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart["viz"],
        "params": params,
        "query_context": json.dumps(query_context),
        "cache_timeout": None,
        "uuid": uid("chart", chart["name"]),
        "version": VERSION,
        "dataset_uuid": uid("dataset", dataset),
    }
    return f"charts/{slug(chart['name'])}.yaml", doc


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def dataset_file(name: str) -> tuple[str, dict]:
    time_column, columns, metrics = DATASETS[name]
    doc = {
        "table_name": name,
        "main_dttm_col": time_column,
        "description": f"ModelHub reporting view {name} (docs/dashboards.md)",
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "schema": "public",
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "uuid": uid("dataset", name),
        "metrics": [
            {
                "metric_name": metric,
                "verbose_name": metric.replace("_", " "),
                "metric_type": None,
                "expression": sql,
                "description": None,
                "d3format": None,
                "extra": {},
                "warning_text": None,
            }
            for metric, sql in metrics.items()
        ],
        "columns": [
            {
                "column_name": column,
                "verbose_name": None,
                "is_dttm": column == time_column,
                "is_active": True,
                "type": kind,
                "advanced_data_type": None,
                "groupby": True,
                "filterable": True,
                "expression": None,
                "description": None,
                "python_date_format": None,
                "extra": {},
            }
            for column, kind in columns.items()
        ],
        "version": VERSION,
        "database_uuid": DATABASE_UUID,
    }
    return f"datasets/ModelHub_metrics/{name}.yaml", doc


def database_file() -> tuple[str, dict]:
    doc = {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": PLACEHOLDER_URI,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        "extra": {"allows_virtual_table_explore": True},
        "uuid": DATABASE_UUID,
        "version": VERSION,
    }
    return "databases/ModelHub_metrics.yaml", doc


def dashboard_file() -> tuple[str, dict]:
    position: dict = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": "ModelHub reports"}},
    }
    row, used, rows = None, 12, 0
    for number, chart in enumerate(CHARTS, start=1):
        width = chart.get("width", 4)
        if row is None or used + width > 12:
            rows += 1
            row = f"ROW-{rows}"
            position[row] = {
                "type": "ROW",
                "id": row,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID"],
                "meta": {"background": "BACKGROUND_TRANSPARENT"},
            }
            position["GRID_ID"]["children"].append(row)
            used = 0
        key = f"CHART-{number}"
        position[row]["children"].append(key)
        position[key] = {
            "type": "CHART",
            "id": key,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID", row],
            "meta": {
                "width": width,
                "height": 50,
                "chartId": number,
                "uuid": uid("chart", chart["name"]),
                "sliceName": chart["name"],
            },
        }
        used += width
    native_filters = [
        {
            "id": f"NATIVE_FILTER-{column}",
            "name": label,
            "filterType": "filter_select",
            "type": "NATIVE_FILTER",
            "targets": [{"datasetUuid": uid("dataset", "v_executions_daily"), "column": {"name": column}}],
            "controlValues": {"multiSelect": True, "enableEmptyFilter": False, "searchAllOptions": False},
            "defaultDataMask": {"filterState": {}, "extraFormData": {}},
            "cascadeParentIds": [],
            "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
            "description": "",
            "chartsInScope": [],
        }
        for column, label in (("department", "Department"), ("model_name", "Model"))
    ]
    doc = {
        "dashboard_title": "ModelHub reports",
        "description": None,
        "css": "",
        "slug": "modelhub",
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": uid("dashboard", "modelhub"),
        "position": position,
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": True,
            "default_filters": "{}",
            "chart_configuration": {},
            "native_filter_configuration": native_filters,
        },
        "version": VERSION,
    }
    return "dashboards/ModelHub_reports.yaml", doc


def files() -> dict[str, dict]:
    out = dict([database_file(), dashboard_file()])
    out.update(dataset_file(name) for name in DATASETS)
    out.update(chart_files(chart) for chart in CHARTS)
    out["metadata.yaml"] = {"version": VERSION, "type": "Dashboard", "timestamp": "2026-01-01T00:00:00+00:00"}
    return out


def main() -> None:
    shutil.rmtree(ROOT, ignore_errors=True)
    for name, doc in files().items():
        path = ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120))


if __name__ == "__main__":
    main()
