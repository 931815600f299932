"""MLflow tracking of a training run: one parent run per execution, one nested run per Optuna trial.

The tracking URI is `settings.mlflow_tracking_uri`: a SQLite store under the data dir in embedded
mode (artifacts beside it), the compose stack's tracking server otherwise. The experiment is
`modelhub/<model name>`. Tracking is a record, not a dependency of the result: a tracking server
that fails mid-run is reported in the log once and the training goes on without it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from modelhub.pipelines.automl import TrialResult


def _artifact_root(uri: str) -> str | None:
    """Artifacts of a SQLite store go next to its database, not into the job's working directory."""
    if uri.startswith("sqlite:///"):
        return (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return None  # a tracking server decides


class Tracker:
    def __init__(self, tracking_uri: str, experiment: str, run_name: str, tags: dict[str, str], log=print):
        self.log = log
        self.enabled = True
        self.run_id: str | None = None
        try:
            import mlflow

            if tracking_uri.startswith("sqlite:///"):
                Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.client = mlflow.MlflowClient(tracking_uri=tracking_uri)
            found = self.client.get_experiment_by_name(experiment)
            if found is None:
                with contextlib.suppress(Exception):  # created meanwhile by a parallel job
                    self.client.create_experiment(experiment, artifact_location=_artifact_root(tracking_uri))
                found = self.client.get_experiment_by_name(experiment)
            self.experiment_id = found.experiment_id
            run = self.client.create_run(self.experiment_id, run_name=run_name, tags=tags)
            self.run_id = run.info.run_id
            log(f"MLflow: tracking in experiment {experiment!r}, run {self.run_id} at {tracking_uri.split('@')[-1]}")
        except Exception as exc:  # noqa: BLE001 - see the module docstring
            self._disable(exc)

    def _disable(self, exc: Exception) -> None:
        if self.enabled:
            self.log(f"MLflow tracking is off for this run: {type(exc).__name__}: {exc}")
        self.enabled = False

    def trial(self, result: TrialResult, metric: str) -> None:
        if not self.enabled:
            return
        try:
            from mlflow.entities import Metric, Param, RunTag
            from mlflow.utils.time import get_current_time_millis

            run = self.client.create_run(
                self.experiment_id,
                run_name=f"trial-{result.number}-{result.family}",
                tags={"mlflow.parentRunId": self.run_id, "modelhub.family": result.family},
            )
            now = get_current_time_millis()
            metrics = [Metric("trial_seconds", result.seconds, now, 0)]
            if result.score is not None:
                metrics.append(Metric(f"cv_{metric}", result.score, now, 0))
                metrics += [Metric(f"cv_{metric}_fold", s, now, i) for i, s in enumerate(result.fold_scores)]
            params = [Param("family", result.family)] + [Param(k, str(v)) for k, v in result.params.items()]
            tags = [RunTag("modelhub.error", result.error[:5000])] if result.error else []
            self.client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
            self.client.set_terminated(run.info.run_id, "FAILED" if result.error else "FINISHED")
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)

    def finish(
        self, params: dict[str, Any], metrics: dict[str, float], artifacts: list[Path], status: str = "FINISHED"
    ) -> None:
        if not self.enabled:
            return
        try:
            from mlflow.entities import Metric, Param
            from mlflow.utils.time import get_current_time_millis

            now = get_current_time_millis()
            self.client.log_batch(
                self.run_id,
                metrics=[Metric(k, float(v), now, 0) for k, v in metrics.items()],
                params=[Param(k, str(v)[:6000]) for k, v in params.items()],
            )
            for path in artifacts:
                self.client.log_artifact(self.run_id, str(path))
            self.client.set_terminated(self.run_id, status)
        except Exception as exc:  # noqa: BLE001
            self._disable(exc)

    def fail(self) -> None:
        if self.enabled and self.run_id:
            with contextlib.suppress(Exception):
                self.client.set_terminated(self.run_id, "FAILED")
