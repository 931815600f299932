"""The Airflow client's timeouts and retries (against a small real HTTP server that misbehaves on
purpose), the sharded spec folder, and schedules."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from modelhub.deployments.schedule import next_runs, to_cron, zone
from modelhub.errors import ValidationFailed
from modelhub.orchestration import AirflowClient, DagSpecs, OrchestratorUnavailable, scheduled_execution_id
from modelhub.orchestration.specs import deployment_id_of, shard_of


class FlakyAirflow(BaseHTTPRequestHandler):
    """Answers /auth/token; the first `failures` calls to anything else get 503; `/slow` sleeps."""

    failures = 0
    calls: list[str] = []

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: dict | None = None):
        data = json.dumps(body or {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/auth/token":
            ok = payload.get("password") == "right"
            return self._reply(201 if ok else 401, {"access_token": "jwt"} if ok else {})
        type(self).calls.append(f"POST {self.path}")
        if type(self).failures > 0:
            type(self).failures -= 1
            return self._reply(503)
        return self._reply(200, {"dag_run_id": "manual__1", "state": "queued", "conf": payload.get("conf")})

    def do_GET(self):
        type(self).calls.append(f"GET {self.path}")
        assert self.headers["Authorization"] == "Bearer jwt"
        if self.path.startswith("/slow"):
            time.sleep(2)
        if type(self).failures > 0:
            type(self).failures -= 1
            return self._reply(503)
        if "missing" in self.path:
            return self._reply(404, {"detail": "not found"})
        return self._reply(200, {"dag_id": self.path.rsplit("/", 1)[-1], "is_paused": True})


@pytest.fixture
def server():
    FlakyAirflow.failures, FlakyAirflow.calls = 0, []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FlakyAirflow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_reads_are_retried_with_backoff(server):
    client = AirflowClient(server, "admin", "right", timeout_s=5)
    FlakyAirflow.failures = 2
    started = time.monotonic()
    assert client.get_dag("mh_x")["dag_id"] == "mh_x"
    assert FlakyAirflow.calls == ["GET /api/v2/dags/mh_x"] * 3
    assert time.monotonic() - started >= 0.25 + 0.5 - 0.05  # exponential: 0.25 s, then 0.5 s
    assert client.get_dag("missing") is None  # 404 is an answer, not an outage


def test_a_trigger_is_not_repeated_once_airflow_got_it(server):
    client = AirflowClient(server, "admin", "right", timeout_s=5)
    FlakyAirflow.failures = 1
    with pytest.raises(OrchestratorUnavailable):
        client.trigger("mh_x", {"execution_id": "e"})
    assert FlakyAirflow.calls == ["POST /api/v2/dags/mh_x/dagRuns"]  # a 503 may mean it was created
    assert client.trigger("mh_x", {"execution_id": "e"})["conf"] == {"execution_id": "e"}


def test_timeouts_and_outages_are_503_within_the_budget(server):
    client = AirflowClient(server, "admin", "right", timeout_s=0.5, attempts=3)
    started = time.monotonic()
    with pytest.raises(OrchestratorUnavailable) as err:
        client.request("GET", "/slow/thing")
    assert err.value.status_code == 503 and err.value.details == {"component": "orchestrator"}
    assert time.monotonic() - started < 3  # the budget bounds the retries
    nobody = AirflowClient("http://127.0.0.1:9", "admin", "right", timeout_s=1)
    with pytest.raises(OrchestratorUnavailable) as err:
        nobody.get_dag("mh_x")
    assert err.value.message.startswith("orchestrator unavailable: ConnectError")


def test_wrong_credentials_say_so(server):
    client = AirflowClient(server, "admin", "wrong", timeout_s=2)
    with pytest.raises(OrchestratorUnavailable) as err:
        client.get_dag("mh_x")
    assert "MODELHUB_AIRFLOW_USERNAME/PASSWORD" in err.value.message


def spec(deployment_id: str, **fields) -> dict:
    return {"deployment_id": deployment_id, "name": "x", "kind": "batch_scoring", "instance": "me", **fields}


def test_specs_live_in_stable_shards_and_touch_only_their_shard(tmp_path):
    specs = DagSpecs(tmp_path / "generated", shards=8)
    ids = [f"{i:032x}" for i in range(40)]
    assert [shard_of(i, 8) for i in ids] == [specs.shard_of(i) for i in ids]  # a pure function of the id
    assert len({specs.shard_of(i) for i in ids}) == 8
    for deployment_id in ids:
        specs.write(spec(deployment_id))
    assert sorted(p.name for p in specs.root.glob("shard_*.py")) == [f"shard_{n:02d}.py" for n in range(8)]
    mtimes = {n: specs.shard_file(n).stat().st_mtime_ns for n in range(8)}
    changed = ids[3]
    specs.write(spec(changed, name="renamed"))
    after = {n: specs.shard_file(n).stat().st_mtime_ns for n in range(8)}
    assert [n for n in range(8) if after[n] != mtimes[n]] == [specs.shard_of(changed)]
    specs.write(spec(changed, name="renamed"))  # unchanged content: no touch, no re-parse
    assert specs.shard_file(specs.shard_of(changed)).stat().st_mtime_ns == after[specs.shard_of(changed)]
    assert specs.read(changed)["name"] == "renamed" and specs.read(changed)["spec_version"] == 1
    assert not [p for p in specs.root.rglob(".*.tmp")]

    assert specs.remove(changed) and not specs.remove(changed)
    assert specs.read(changed) is None


def test_clean_up_keeps_other_instances_specs(tmp_path):
    specs = DagSpecs(tmp_path / "generated", shards=4)
    mine, gone, foreign = "a" * 32, "b" * 32, "c" * 32
    specs.write(spec(mine))
    specs.write(spec(gone))
    specs.write(spec(foreign, instance="someone else"))
    assert specs.remove_misplaced({mine}, "me") == 1
    assert specs.read(mine) and specs.read(gone) is None and specs.read(foreign)

    # a smaller shard count moves nothing by itself, and the clean-up drops copies in old shards
    fewer = DagSpecs(tmp_path / "generated", shards=2)
    fewer.write(spec(mine))
    fewer.remove_misplaced({mine}, "me")
    assert [path for _, path in fewer.all_ids() if _ == mine] == [fewer.spec_path(mine)]
    assert sorted(p.name for p in fewer.root.glob("shard_*.py")) == ["shard_00.py", "shard_01.py"]


def test_nudge_touches_again_only_after_a_while(tmp_path):
    specs = DagSpecs(tmp_path / "generated", shards=2)
    specs.write(spec("a" * 32))
    assert specs.nudge("a" * 32, after_s=60) is False
    assert specs.nudge("a" * 32, after_s=0) is True


def test_ids_of_scheduled_runs_are_shared_with_the_factory():
    from tests.harness.base import REPO_ROOT

    source = (REPO_ROOT / "airflow" / "dags" / "modelhub_factory.py").read_text()
    assert 'uuid.UUID("6f1c3b0e-5a7d-4c61-9a55-3e2f6d0b8a11")' in source  # the same namespace
    run = scheduled_execution_id("mh_" + "a" * 32, "scheduled__2026-01-01T00:00:00+00:00")
    assert len(run) == 32 and run == scheduled_execution_id("mh_" + "a" * 32, "scheduled__2026-01-01T00:00:00+00:00")
    assert deployment_id_of("mh_" + "a" * 32) == "a" * 32 and deployment_id_of("other_dag") is None


@pytest.mark.parametrize(
    ("schedule", "cron"),
    [("@daily", "0 0 * * *"), ("@HOURLY", "0 * * * *"), ("  */5  * * * * ", "*/5 * * * *"), ("0 9 * * 1-5", None)],
)
def test_schedules(schedule, cron):
    assert to_cron(schedule) == (cron or schedule)


@pytest.mark.parametrize(
    ("schedule", "says"),
    [
        ("", "has 1"),
        ("* * * * * *", "has 6"),
        ("60 * * * *", "not a valid cron expression"),
        ("0 0 31 4 *", "never matches"),
        ("@once", "unknown preset"),
        ("a b c d e", "not a valid cron expression"),
    ],
)
def test_invalid_schedules_say_why(schedule, says):
    with pytest.raises(ValidationFailed) as err:
        to_cron(schedule)
    assert says in err.value.message and err.value.details == {"field": "schedule"}


def test_next_runs_follow_the_timezone_across_dst():
    from datetime import datetime

    runs = next_runs("30 2 * * *", "Europe/Paris", 3, after=datetime.fromisoformat("2026-03-28T12:00:00+01:00"))
    # 29 March 2026: clocks jump from 02:00 to 03:00 in Paris; the run happens once, at the end of
    # the gap (croniter's rule, and so Airflow's: they share the library)
    assert runs[0].isoformat() == "2026-03-29T03:00:00+02:00"
    assert runs[1].isoformat() == "2026-03-30T02:30:00+02:00"
    for bad in ("Nowhere/City", "../etc/passwd", ""):
        with pytest.raises(ValidationFailed):
            zone(bad)


def test_the_log_shown_without_a_task_is_the_one_a_user_wants():
    from modelhub.executions.service import default_log_task

    def ti(task_id, state, start=None):
        return {"task_id": task_id, "state": state, "start_date": start}

    steps = [ti("preprocess", "success", "2026-01-01T00:00:00Z"), ti("train", "failed", "2026-01-01T00:01:00Z")]
    assert default_log_task([*steps, ti("register", "upstream_failed")])["task_id"] == "train"
    running = [ti("preprocess", "success", "2026-01-01T00:00:00Z"), ti("train", "running", "2026-01-01T00:01:00Z")]
    assert default_log_task(running)["task_id"] == "train"
    done = [ti("evaluate", "success", "2026-01-01T00:00:00Z"), ti("promote", "success", "2026-01-01T00:02:00Z")]
    assert default_log_task(done)["task_id"] == "promote"
    assert default_log_task([ti("score", "queued")])["task_id"] == "score"
    assert default_log_task([]) is None


def test_a_log_is_complete_only_once_its_task_ended_a_moment_ago():
    from datetime import UTC, datetime, timedelta

    from modelhub.executions.service import LOG_SETTLE_S, settled

    now = datetime.now(UTC)
    assert not settled((now - timedelta(seconds=LOG_SETTLE_S / 3)).isoformat())
    assert settled((now - timedelta(seconds=LOG_SETTLE_S * 2)).isoformat().replace("+00:00", "Z"))
    assert settled(None)
