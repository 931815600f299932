"""The application's long-lived services, built once from settings and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from modelhub.audit.repository import AuditLog
from modelhub.auth.identity import Identity
from modelhub.config import Settings
from modelhub.datasets.repository import DatasetRepository
from modelhub.deployments.repository import DeploymentRepository
from modelhub.executions.repository import ExecutionRepository
from modelhub.models.repository import ModelRepository
from modelhub.orchestration import AirflowClient, DagSpecs
from modelhub.stores.metadata import MetadataStore, open_metadata_store
from modelhub.stores.metrics import MetricsStore, open_metrics_store
from modelhub.stores.objects import ObjectStore, open_object_store
from modelhub.versions.repository import VersionRepository


@dataclass
class AppContext:
    settings: Settings
    metadata: MetadataStore
    objects: ObjectStore
    metrics: MetricsStore
    identity: Identity
    audit: AuditLog
    models: ModelRepository
    versions: VersionRepository
    datasets: DatasetRepository
    deployments: DeploymentRepository
    executions: ExecutionRepository
    orchestrator: AirflowClient
    dag_specs: DagSpecs

    @classmethod
    def from_settings(cls, settings: Settings) -> AppContext:
        timeout = settings.dependency_timeout_s
        metadata = open_metadata_store(settings.metadata_uri, timeout_s=timeout)
        return cls(
            settings=settings,
            metadata=metadata,
            objects=open_object_store(settings),
            metrics=open_metrics_store(settings.metrics_uri, timeout_s=timeout),
            identity=Identity.from_settings(settings, metadata),
            audit=AuditLog(metadata),
            models=ModelRepository(metadata),
            versions=VersionRepository(metadata),
            datasets=DatasetRepository(metadata),
            deployments=DeploymentRepository(metadata),
            executions=ExecutionRepository(metadata),
            orchestrator=AirflowClient(
                settings.airflow_url,
                settings.airflow_username,
                settings.airflow_password.get_secret_value(),
                settings.airflow_timeout_s,
            ),
            dag_specs=DagSpecs(settings.dags_dir, settings.dag_shards),
        )

    def components(self) -> dict[str, object]:
        """Every dependency with a `ping()`, by the name used in readiness and 503 bodies."""
        return {"metadata": self.metadata, "objects": self.objects, "metrics": self.metrics, "identity": self.identity}

    def close(self) -> None:
        self.metadata.close()
        self.metrics.close()
        self.orchestrator.close()


async def get_context(request: Request) -> AppContext:
    """The app's context, as a dependency. `async`: FastAPI runs a sync dependency in its thread pool,
    a round trip per request for what is an attribute read."""
    return request.app.state.context
