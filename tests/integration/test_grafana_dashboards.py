"""Grafana's provisioning files, checked without a Grafana server: every file loads and has what
Grafana needs, and every panel's and variable's SQL — Grafana's macros and template variables
expanded the way its PostgreSQL datasource does — runs against the real PostgreSQL of the test run
holding demo history, and returns rows."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import yaml

from modelhub.dashboards.demo_history import write_demo_history
from modelhub.stores.metrics import open_metrics_store
from tests.conftest import unique_name
from tests.harness.base import REPO_ROOT

pytestmark = pytest.mark.servers

GRAFANA = REPO_ROOT / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCE_FILES = sorted((GRAFANA / "provisioning" / "datasources").glob("*.yaml"))
PROVIDER_FILES = sorted((GRAFANA / "provisioning" / "dashboards").glob("*.yaml"))
NOW = datetime.now(UTC).replace(microsecond=0)
RANGE = (NOW - timedelta(days=30), NOW)  # the dashboards' default time range: now-30d .. now
MODELS = [
    {"id": f"{i:032x}", "name": name, "department": department, "geography": "EU", "task_type": task, "versions": 3}
    for i, (name, department, task) in enumerate(
        [
            ("churn", "marketing", "classification"),
            ("demand", "supply_chain", "regression"),
            ("attrition", "hr", "classification"),
            ("fraud", "finance", "classification"),
        ]
    )
]


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def datasource() -> dict:
    [source] = load_yaml(DATASOURCE_FILES[0])["datasources"]
    return source


# -- Grafana's macros and variables ---------------------------------------------------------------------
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def seconds(interval: str) -> int:
    match = re.fullmatch(r"\s*(\d+)([smhdw])\s*", interval)
    assert match, f"unsupported interval {interval!r} in a macro"
    return int(match[1]) * UNITS[match[2]]


def grafana_time(moment: datetime) -> str:
    return "'" + moment.strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


def time_group(column: str, interval: str, timescaledb: bool) -> str:
    """As Grafana's PostgreSQL datasource renders $__timeGroup (pkg/tsdb/grafana-postgresql-datasource/macros.go)."""
    step = seconds(interval)
    if timescaledb:
        return f"time_bucket('{step}s',{column})"
    return f"floor(extract(epoch from {column})/{step})*{step}"


def expand_macros(sql: str, start: datetime, end: datetime, timescaledb: bool) -> str:
    def args(text: str) -> list[str]:
        return [a.strip() for a in text.split(",")]

    sql = re.sub(
        r"\$__timeGroupAlias\(([^)]*)\)",
        lambda m: time_group(*args(m[1])[:2], timescaledb) + ' AS "time"',
        sql,
    )
    sql = re.sub(r"\$__timeGroup\(([^)]*)\)", lambda m: time_group(*args(m[1])[:2], timescaledb), sql)
    sql = re.sub(
        r"\$__timeFilter\(([^)]*)\)",
        lambda m: f"{m[1].strip()} BETWEEN {grafana_time(start)} AND {grafana_time(end)}",
        sql,
    )
    sql = sql.replace("$__timeFrom()", grafana_time(start)).replace("$__timeTo()", grafana_time(end))
    assert "$__" not in sql, f"a Grafana macro this test does not expand: {sql}"
    return sql


def sql_string(values: list[str]) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in values)


def expand_variables(sql: str, variables: dict[str, tuple[list[str], bool]]) -> str:
    """`${var:sqlstring}` quotes; `$var`/`${var}` quote too when the variable is multi-value or
    includes All (Grafana's SQL formatting), and are raw otherwise."""

    def replace(match: re.Match) -> str:
        name, fmt = match["name"] or match["bare"], match["fmt"]
        assert name in variables, f"unknown variable ${name}"
        values, multi = variables[name]
        if fmt == "sqlstring" or (fmt is None and multi):
            return sql_string(values)
        assert fmt in (None, "raw"), f"unsupported format :{fmt}"
        return ",".join(values)

    pattern = r"\$\{(?P<name>\w+)(?::(?P<fmt>\w+))?\}|\$(?P<bare>[a-zA-Z]\w*)"
    return re.sub(pattern, replace, sql)


def expand(sql: str, variables: dict, timescaledb: bool) -> str:
    return expand_variables(expand_macros(sql, *RANGE, timescaledb), variables)


# -- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def metrics_dsn(postgres):
    dsn = postgres.dsn_for(postgres.create_database(unique_name("grafana_")))
    store = open_metrics_store(dsn)
    assert write_demo_history(store, MODELS, months=2, now=NOW) > 0
    store.close()
    return dsn


@pytest.fixture(scope="module")
def db(metrics_dsn):
    with psycopg.connect(metrics_dsn, autocommit=True) as conn:
        yield conn


def run(db, sql: str, cursor=None) -> list[tuple]:
    cursor = cursor or db.cursor()
    try:
        cursor.execute(sql)
    except psycopg.Error as exc:
        raise AssertionError(f"{exc}\n--- SQL ---\n{sql}") from exc
    return cursor.fetchall()


def resolve_variables(db, board: dict, timescaledb: bool) -> dict[str, tuple[list[str], bool]]:
    """Every variable's values as Grafana would offer them (in order, so later ones see earlier
    ones), with All selected for multi-value variables and the current (else first) value otherwise."""
    variables: dict[str, tuple[list[str], bool]] = {}
    for var in board["templating"]["list"]:
        multi = bool(var.get("multi") or var.get("includeAll"))
        if var["type"] == "query":
            rows = run(db, expand(var["query"], variables, timescaledb))
            options = [str(r[0]) for r in rows if r[0] is not None]
            assert options, f"variable ${var['name']} of {board['uid']} offers no value"
        elif var["type"] == "custom":
            options = [v.strip() for v in var["query"].split(",")]
        else:
            raise AssertionError(f"variable type {var['type']} not covered by this test")
        current = (var.get("current") or {}).get("value")
        if not multi:
            options = [current] if isinstance(current, str) and current in options else options[:1]
        variables[var["name"]] = (options, multi)
    return variables


# -- the files -----------------------------------------------------------------------------------------------
def test_datasource_is_configured_from_the_environment():
    assert len(DATASOURCE_FILES) == 1
    doc = load_yaml(DATASOURCE_FILES[0])
    assert doc["apiVersion"] == 1
    source = datasource()
    assert source["type"] in ("grafana-postgresql-datasource", "postgres")
    assert source["uid"] and source["name"]
    assert isinstance(source["jsonData"]["timescaledb"], bool)  # the plugin reads a JSON boolean
    text = DATASOURCE_FILES[0].read_text()
    used = set(re.findall(r"\$\{(\w+)\}", text))
    assert used == {
        "MODELHUB_METRICS_HOST",
        "MODELHUB_METRICS_PORT",
        "MODELHUB_METRICS_DB",
        "MODELHUB_METRICS_USER",
        "MODELHUB_METRICS_PASSWORD",
        "MODELHUB_METRICS_SSLMODE",
    }
    assert source["secureJsonData"]["password"] == "${MODELHUB_METRICS_PASSWORD}"  # never a literal secret


def test_dashboard_provider_points_at_the_dashboards():
    [provider] = load_yaml(PROVIDER_FILES[0])["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "/var/lib/grafana/dashboards"
    assert len(DASHBOARDS) == 4


def test_dashboards_are_complete_and_up_to_date():
    spec = importlib.util.spec_from_file_location("build_dashboards", GRAFANA / "build_dashboards.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = {b["uid"]: b for b in (builder.OVERVIEW, builder.QUALITY, builder.PREDICTIONS, builder.DRIFT)}
    uids = set()
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        assert board == json.loads(json.dumps(built[board["uid"]])), f"{path.name}: run grafana/build_dashboards.py"
        for key in ("uid", "title", "panels", "templating", "time", "schemaVersion"):
            assert key in board, f"{path.name} lacks {key}"
        assert board["uid"] not in uids
        uids.add(board["uid"])
        assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == datasource()["uid"], panel["title"]
            assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                assert target["rawSql"].strip() and target["format"] in ("time_series", "table"), panel["title"]


# -- every query, against PostgreSQL with demo history --------------------------------------------------------
def queries() -> list:
    params = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel["targets"]:
                params.append(pytest.param(board, panel["title"], target, id=f"{board['uid']}:{panel['title']}"))
    return params


@pytest.mark.parametrize("timescaledb", [False])  # the datasource's flag (the extension is absent here)
@pytest.mark.parametrize(("board", "title", "target"), queries())
def test_panel_query_returns_rows(db, board, title, target, timescaledb):
    variables = resolve_variables(db, board, timescaledb)
    sql = expand(target["rawSql"], variables, timescaledb)
    with db.cursor() as cursor:
        rows = run(db, sql, cursor)
        first_column = cursor.description[0].name
    assert rows, f"{board['uid']} / {title}: no rows\n{sql}"
    if target["format"] == "time_series":
        # Grafana needs a time column: named "time" (or aliased by $__timeGroupAlias)
        assert first_column == "time", f"{title}: the first column must be time"
        assert all(r[0] is not None for r in rows)
        assert len({r[0] for r in rows}) > 1, f"{title}: a time series with a single point in 30 days"


def test_variables_narrow_the_panels(db):
    """Choosing one department shows that department's models only."""
    board = json.loads((GRAFANA / "dashboards" / "quality.json").read_text())
    variables = resolve_variables(db, board, False)
    variables["department"] = (["hr"], True)
    model_query = next(v for v in board["templating"]["list"] if v["name"] == "model")["query"]
    assert [r[0] for r in run(db, expand(model_query, variables, False))] == ["attrition"]
    variables["model"] = (["attrition"], True)
    panel = board["panels"][0]["targets"][0]["rawSql"]
    series = {r[1] for r in run(db, expand(panel, variables, False))}
    assert series == {"attrition v2", "attrition v3"}  # v1 served before the last 30 days


def test_macro_expansion_matches_grafana():
    sql = "SELECT $__timeGroupAlias(time, 1d), x FROM t WHERE $__timeFilter(time) AND d IN ($d) AND m = ${m:sqlstring}"
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 31, tzinfo=UTC)
    expanded = expand_variables(expand_macros(sql, start, end, False), {"d": (["a", "b'c"], True), "m": (["x"], False)})
    assert expanded == (
        'SELECT floor(extract(epoch from time)/86400)*86400 AS "time", x FROM t '
        "WHERE time BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-31T00:00:00Z' AND d IN ('a','b''c') AND m = 'x'"
    )
    assert expand_macros("$__timeGroup(day, 7d)", start, end, True) == "time_bucket('604800s',day)"
