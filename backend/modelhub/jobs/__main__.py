"""`python -m modelhub.jobs <kind> --execution-id ... --api-url ...`: run one job, exit 0 or 1.

The last line of a failed job is `ERROR: <reason>`; the Airflow task fails with that reason.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from modelhub.config import Settings
from modelhub.jobs import JOBS
from modelhub.jobs.api import JobAPI, JobError
from modelhub.jobs.context import JobContext
from modelhub.stores.objects import open_object_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelhub.jobs", description=__doc__)
    parser.add_argument("kind", choices=sorted(JOBS))
    parser.add_argument("--execution-id", required=True)
    parser.add_argument("--deployment-id", required=True)
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--api-url", required=True)
    args = parser.parse_args(argv)

    started = time.monotonic()
    settings = Settings()
    api = JobAPI(args.api_url, settings)
    claimed = False
    try:
        job = importlib.import_module(JOBS[args.kind])
        inputs = api.claim(args.execution_id, args.deployment_id, args.dag_id, args.run_id)
        claimed = True
        context = JobContext(args.execution_id, inputs, open_object_store(settings), api)
        report = job.run(context)
        report["seconds"] = round(time.monotonic() - started, 3)
        api.report(args.execution_id, {"outcome": "success", **report})
        print(f"{args.kind} job done in {report['seconds']:.1f} s", flush=True)
        return 0
    except Exception as exc:  # noqa: BLE001 - every failure ends as one clear line for the task log
        reason = str(exc) if isinstance(exc, JobError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, JobError):
            traceback.print_exc(file=sys.stdout)
        if claimed:
            try:
                api.report(args.execution_id, {"outcome": "failed", "message": reason[:2000]})
            except Exception as report_error:  # noqa: BLE001 - the job's own failure is the one to show
                print(f"could not report the failure to ModelHub: {report_error}", flush=True)
        print(f"ERROR: {reason}", flush=True)
        return 1
    finally:
        api.close()


if __name__ == "__main__":
    sys.exit(main())
