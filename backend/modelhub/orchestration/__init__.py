"""Orchestration: the Airflow REST client and the deployment specs its dag-processor reads."""

from modelhub.orchestration.airflow import AirflowClient, OrchestratorUnavailable
from modelhub.orchestration.specs import DagSpecs, dag_id_for, scheduled_execution_id

__all__ = ["AirflowClient", "DagSpecs", "OrchestratorUnavailable", "dag_id_for", "scheduled_execution_id"]
