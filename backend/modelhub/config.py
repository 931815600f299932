"""All settings in one place, read from `MODELHUB_*` environment variables (or a `.env` file).

Stores are chosen by URI scheme, the way MLflow picks a tracking store: `sqlite:///…` or
`mongodb://…` for metadata, `file:///…` or `s3://bucket` for objects, `sqlite:///…` or
`postgresql://…` for metrics. Empty URIs default to embedded stores inside `data_dir`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Profile(StrEnum):
    local = "local"
    production = "production"


# The UI that `npm run build` leaves in this checkout (backend/modelhub/config.py -> repo root).
DEFAULT_WEB_DIR = Path(__file__).resolve().parents[2] / "frontend" / "dist"

# Values that are fine on a laptop and refused by the production profile.
DEFAULT_S3_SECRET = "modelhub-dev-secret"  # noqa: S105 - a known development default, refused in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MODELHUB_", env_file=".env", extra="ignore")

    profile: Profile = Profile.local
    data_dir: Path = Path(".modelhub")

    metadata_uri: str = ""
    objects_uri: str = ""
    metrics_uri: str = ""

    # S3 / MinIO (used when objects_uri is s3://bucket[/prefix])
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "modelhub"
    s3_secret_key: SecretStr = SecretStr(DEFAULT_S3_SECRET)
    s3_secure: bool = False
    s3_region: str = "us-east-1"

    # How long a call to a dependency may take before the API answers 503 for it.
    dependency_timeout_s: float = Field(default=3.0, gt=0)

    # Identity. An empty issuer makes the backend its own issuer (embedded mode); otherwise the
    # issuer is an OpenID provider (Keycloak: https://sso.example.com/realms/modelhub).
    auth_issuer: str = ""
    auth_audience: str = "modelhub-api"
    auth_timeout_s: float = Field(default=3.0, gt=0)
    auth_clock_skew_s: int = Field(default=30, ge=0, le=300)  # tolerated clock difference with the issuer
    access_token_ttl_s: int = Field(default=900, ge=60)
    refresh_token_ttl_s: int = Field(default=8 * 3600, ge=300)
    demo_users: bool = True  # admin/datascientist/business/viewer with the documented passwords
    # The credential pipeline tasks use (client credentials grant). Built-in issuer: generated in
    # the data dir when empty. Keycloak: the `modelhub-pipelines` client of the realm.
    service_client_id: str = "modelhub-pipelines"
    service_client_secret: SecretStr = SecretStr("")
    # Keycloak admin API for the users page (a confidential client with realm-management roles).
    keycloak_admin_client_id: str = "modelhub-admin-api"
    keycloak_admin_client_secret: SecretStr = SecretStr("")
    # Web UI login against an OpenID provider (public client, authorization code + PKCE).
    oidc_web_client_id: str = "modelhub-web"
    public_url: str = ""  # how browsers reach the API; defaults to http://host:port

    # Largest file accepted by an upload (413 past it; nothing is stored).
    max_model_upload_bytes: int = Field(default=2 * 1024**3, gt=0)
    max_dataset_upload_bytes: int = Field(default=5 * 1024**3, gt=0)

    # Orchestration: Airflow's REST API (v2, token auth) and the folder its dag-processor reads
    # deployment specs from. An empty dags_dir means <repo>/airflow/dags/generated when ModelHub
    # runs from a clone (the repo's airflow/dags is then Airflow's dags folder), else <data dir>/dags.
    airflow_url: str = "http://127.0.0.1:8080"
    airflow_username: str = "admin"
    airflow_password: SecretStr = SecretStr("")
    airflow_timeout_s: float = Field(default=5.0, gt=0)  # per request; retries with backoff come on top
    dags_dir: Path | None = None
    dag_shards: int = Field(default=16, ge=1, le=1000)  # stable: changing it moves every spec once
    # How often the app reconciles with Airflow (pending pauses and deletions, runs started by the
    # scheduler, states of unfinished executions); 0 turns the background loop off.
    orchestrator_sync_interval_s: float = Field(default=5.0, ge=0)
    # How long a trigger waits for a just-created DAG to appear in Airflow before answering 409.
    dag_visible_wait_s: float = Field(default=8.0, ge=0)
    # Where training jobs track their Optuna trials (docs/pipelines.md): an MLflow tracking URI
    # (http://mlflow:5000 in compose). Empty: a SQLite tracking store under <data dir>/mlflow.
    mlflow_tracking_uri: str = ""

    # Online serving (modelhub/serving, docs/serving.md): long-lived worker processes load the
    # model files (never the API process), each with an LRU cache of loaded models bounded in bytes.
    serving_workers: int = Field(default=2, ge=1, le=64)
    serving_prestart: bool = False  # start the workers (and their imports) at startup, not on first use
    serving_cache_bytes: int = Field(default=1024**3, gt=0)  # per worker; estimated from RSS growth on load
    serving_cache_models: int = Field(default=16, ge=1)  # per worker
    serving_timeout_s: float = Field(default=30.0, gt=0)  # one prediction by a worker that has the model
    serving_load_timeout_s: float = Field(default=300.0, gt=0)  # the same when the worker loads it first
    serving_max_records: int = Field(default=10_000, ge=1)  # more records in one request: 413
    serving_max_body_bytes: int = Field(default=32 * 1024**2, gt=0)  # larger request body: 413
    serving_extra_fields: Literal["reject", "ignore"] = "reject"  # fields the input schema does not name
    serving_load_failure_ttl_s: float = Field(default=10.0, ge=0)  # a failed load answers 503 this long
    # Prediction log: a bounded queue drained by a background thread into the metrics store.
    serving_log_queue: int = Field(default=10_000, ge=1)  # requests waiting; a full queue drops (counted)
    serving_log_batch: int = Field(default=500, ge=1)
    serving_log_interval_s: float = Field(default=1.0, gt=0)
    serving_log_sample_records: int = Field(default=20, ge=0)  # inputs/outputs kept per request

    # Where browsers reach Grafana and Superset (docs/dashboards.md); empty: the UI shows no links.
    grafana_url: str = ""
    superset_url: str = ""

    # Spark jobs (spark_jobs/, run with spark-submit by modelhub.pipelines.spark; docs/spark.md).
    # local[*]: staged through local temp files; spark://host:7077: reads and writes s3a:// directly.
    spark_master: str = "local[*]"
    spark_driver_memory: str = "1g"
    spark_timeout_s: float = Field(default=3600.0, gt=0)

    # The built web UI served at `/` (`npm run build` in frontend/). Empty: frontend/dist of this
    # checkout when it exists; a directory without index.html serves no UI (API only).
    web_dir: Path | None = None

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "info"
    log_json: bool = False

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        data_dir = self.data_dir.expanduser().resolve()
        self.data_dir = data_dir
        if not self.metadata_uri:
            self.metadata_uri = f"sqlite:///{data_dir / 'metadata.db'}"
        if not self.objects_uri:
            self.objects_uri = f"file://{data_dir / 'objects'}"
        if not self.metrics_uri:
            self.metrics_uri = f"sqlite:///{data_dir / 'metrics.db'}"
        if not self.mlflow_tracking_uri:
            self.mlflow_tracking_uri = f"sqlite:///{data_dir / 'mlflow' / 'mlflow.db'}"
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        self.public_url = self.public_url.rstrip("/")
        if self.web_dir is None and DEFAULT_WEB_DIR.is_dir():
            self.web_dir = DEFAULT_WEB_DIR
        if self.web_dir is not None:
            self.web_dir = self.web_dir.expanduser().resolve()
        self.auth_issuer = self.auth_issuer.rstrip("/")
        self.airflow_url = self.airflow_url.rstrip("/")
        if self.dags_dir is None:
            repo_dags = Path(__file__).resolve().parents[2] / "airflow" / "dags"
            in_clone = (repo_dags / "modelhub_factory.py").is_file()
            self.dags_dir = repo_dags / "generated" if in_clone else data_dir / "dags"
        self.dags_dir = self.dags_dir.expanduser().resolve()
        return self

    @property
    def builtin_issuer(self) -> bool:
        return not self.auth_issuer

    @property
    def issuer_url(self) -> str:
        """The `iss` every accepted token must carry."""
        return self.auth_issuer or f"{self.public_url}/api/auth"

    def production_problems(self) -> list[str]:
        """What keeps these settings from being safe in production, one sentence each."""
        problems = []
        for name in ("metadata_uri", "objects_uri", "metrics_uri"):
            value = getattr(self, name)
            if not value.startswith(("mongodb://", "mongodb+srv://", "s3://", "postgresql")):
                problems.append(f"MODELHUB_{name.upper()} must point at a server in production, not {value!r}")
        if self.builtin_issuer:
            problems.append("MODELHUB_AUTH_ISSUER is empty: production needs an OpenID provider (Keycloak)")
        if self.demo_users:
            problems.append("MODELHUB_DEMO_USERS is on: demo users and their known passwords are not allowed")
        if self.objects_uri.startswith("s3://"):
            secret = self.s3_secret_key.get_secret_value()
            if not secret or secret == DEFAULT_S3_SECRET:
                problems.append("MODELHUB_S3_SECRET_KEY is empty or the development default")
            if not self.s3_access_key:
                problems.append("MODELHUB_S3_ACCESS_KEY is empty")
        return problems

    def check(self) -> None:
        if self.profile is Profile.production:
            problems = self.production_problems()
            if problems:
                raise ValueError("refusing to start with the production profile: " + "; ".join(problems))

    def masked(self) -> dict[str, str]:
        """Effective configuration for `modelhub doctor`, secrets masked and passwords removed from URIs."""
        shown = {}
        for name, value in self.model_dump().items():
            if isinstance(getattr(self, name), SecretStr):
                shown[name] = "********" if getattr(self, name).get_secret_value() else "(empty)"
            elif isinstance(value, str) and "://" in value:
                shown[name] = mask_uri(value)
            else:
                shown[name] = str(value)
        return shown


def mask_uri(uri: str) -> str:
    scheme, _, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return uri
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
