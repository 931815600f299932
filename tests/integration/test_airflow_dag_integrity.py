"""DAG integrity: the one factory builds a DAG from a generated spec of every pipeline kind, with
Airflow's own DagBag in Airflow's virtualenv, without import errors; a broken spec becomes a DAG
that fails with the reason instead of breaking its shard; .airflowignore keeps the processor on
the shard files. (`airflow dags list-import-errors` against a live dag-processor is the gate in
test_airflow_deployments.py.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from modelhub.deployments.kinds import PipelineKind
from modelhub.deployments.service import spec_document
from modelhub.orchestration.specs import DagSpecs, dag_id_for
from tests.harness.airflow import airflow_venv
from tests.harness.base import REPO_ROOT

pytestmark = pytest.mark.servers

LOAD = r"""
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag

folder = Path(sys.argv[1])
bag = BundleDagBag(str(folder), bundle_path=folder, bundle_name="dags-folder")
out = {
    "import_errors": bag.import_errors,
    "parsed_files": sorted(str(Path(f).relative_to(folder)) for f in bag.file_last_changed),
    "dags": {},
}
for dag in bag.dags.values():
    out["dags"][dag.dag_id] = {
        "fileloc": str(Path(dag.fileloc).relative_to(folder)),
        "tags": sorted(dag.tags),
        "timetable": type(dag.timetable).__name__,
        "expression": getattr(dag.timetable, "expression", None),
        "timezone": str(getattr(dag.timetable, "timezone", None) or dag.timezone),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "paused_upon_creation": dag.is_paused_upon_creation,
        "tasks": {t.task_id: type(t).__name__ for t in dag.tasks},
        "steps": {t.task_id: getattr(t, "step", None) for t in dag.tasks},
        "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
        "description": dag.description,
    }
print(json.dumps(out))
"""


# What the factory chains for each multi-step kind (it cannot import ModelHub: read from its source).
STEPS = {
    "training": ("preprocess", "train", "register"),
    "evaluation": ("evaluate", "promote"),
}


def test_the_factory_chains_the_steps_of_each_job_module():
    import ast
    import importlib

    from modelhub.jobs import JOBS

    source = (REPO_ROOT / "airflow" / "dags" / "modelhub_factory.py").read_text()
    assigned = next(
        node.value
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "STEPS" for t in node.targets)
    )
    factory_steps = ast.literal_eval(assigned)
    assert factory_steps == STEPS
    for kind in PipelineKind:
        job = importlib.import_module(JOBS[kind.value])
        assert tuple(getattr(job, "STEPS", (kind.value,))) == STEPS.get(kind.value, (kind.value,)), kind


def doc(deployment_id: str, kind: str, **fields) -> dict:
    return {
        "_id": deployment_id,
        "dag_id": dag_id_for(deployment_id),
        "name": f"{kind} deployment",
        "kind": kind,
        "model_id": "f" * 32,
        "model_name": "churn",
        "department": "marketing",
        "cron": None,
        "timezone": "UTC",
        "schedule_start": "2026-01-01T00:00:00.000000Z",
        "created_by": "datascientist",
        "spec_rev": 1,
        **fields,
    }


def test_factory_builds_every_kind_and_survives_a_broken_spec(tmp_path):
    folder = tmp_path / "dags"
    folder.mkdir()
    for name in ("modelhub_factory.py", ".airflowignore"):
        shutil.copy(REPO_ROOT / "airflow" / "dags" / name, folder / name)
    specs = DagSpecs(folder / "generated", shards=4)
    ids = {kind: f"{index:x}" * 32 for index, kind in enumerate(PipelineKind, start=1)}
    for kind, deployment_id in ids.items():
        specs.write(spec_document(doc(deployment_id, kind.value), "http://127.0.0.1:8000", "test"))
    scheduled = "e" * 32
    specs.write(
        spec_document(
            doc(scheduled, "batch_scoring", cron="30 6 * * 1-5", timezone="Europe/Paris", spec_rev=4),
            "http://127.0.0.1:8000",
            "test",
        )
    )
    broken = "b" * 32
    specs.spec_path(broken).parent.mkdir(parents=True, exist_ok=True)
    specs.spec_path(broken).write_text('{"spec_version": 1, "deployment_id": "' + broken + '", "kind": ')

    venv = airflow_venv()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(
        AIRFLOW_HOME=str(tmp_path / "home"),
        AIRFLOW__CORE__DAGS_FOLDER=str(folder),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path / 'airflow.db'}",
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", LOAD, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["import_errors"] == {}
    # the factory and the specs are never parsed as DAG files, the shard files all are
    assert report["parsed_files"] == [f"generated/shard_{n:02d}.py" for n in range(4)]
    dags = report["dags"]
    assert set(dags) == {dag_id_for(i) for i in [*ids.values(), scheduled, broken]}
    for kind, deployment_id in ids.items():
        dag = dags[dag_id_for(deployment_id)]
        steps = STEPS.get(kind.value)
        if steps:  # one task per step of the job, chained in the job's order
            assert list(dag["tasks"]) == list(steps)
            assert set(dag["tasks"].values()) == {"ModelHubJobOperator"}
            assert dag["steps"] == {step: step for step in steps}
            assert dag["upstream"] == {step: list(steps[i - 1 : i]) for i, step in enumerate(steps)}
        else:
            assert dag["tasks"] == {kind.value: "ModelHubJobOperator"} and dag["steps"] == {kind.value: None}
        assert dag["fileloc"] == f"generated/shard_{specs.shard_of(deployment_id):02d}.py"
        assert dag["paused_upon_creation"] is True and dag["catchup"] is False and dag["max_active_runs"] == 1
        assert dag["tags"] == sorted(["modelhub", f"kind:{kind.value}", "model:churn", "department:marketing"])
        assert dag["timetable"] == "NullTimetable"
        assert dag["description"].endswith("[spec r1]")
    cron = dags[dag_id_for(scheduled)]
    assert cron["timetable"] == "CronTriggerTimetable" and cron["expression"] == "30 6 * * 1-5"
    assert cron["timezone"] == "Europe/Paris" and cron["description"].endswith("[spec r4]")
    bad = dags[dag_id_for(broken)]
    assert bad["tasks"] == {"invalid_spec": "InvalidSpecOperator"} and "modelhub:invalid-spec" in bad["tags"]
    assert bad["description"].startswith("invalid ModelHub spec: cannot read")
