from __future__ import annotations

import pytest

from modelhub.config import Settings, mask_uri


def test_embedded_defaults_live_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)
    data = (tmp_path / ".modelhub").resolve()
    assert settings.data_dir == data
    assert settings.metadata_uri == f"sqlite:///{data / 'metadata.db'}"
    assert settings.objects_uri == f"file://{data / 'objects'}"
    assert settings.metrics_uri == f"sqlite:///{data / 'metrics.db'}"


def test_environment_variables_use_the_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("MODELHUB_METADATA_URI", "mongodb://db:27017/modelhub")
    monkeypatch.setenv("MODELHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MODELHUB_PORT", "9001")
    settings = Settings(_env_file=None)
    assert settings.metadata_uri == "mongodb://db:27017/modelhub"
    assert settings.port == 9001 and settings.data_dir == tmp_path


def test_production_refuses_embedded_stores_and_default_secrets(tmp_path):
    settings = Settings(_env_file=None, profile="production", data_dir=tmp_path, objects_uri="s3://models")
    with pytest.raises(ValueError) as err:
        settings.check()
    message = str(err.value)
    assert "MODELHUB_METADATA_URI" in message and "MODELHUB_METRICS_URI" in message
    assert "MODELHUB_S3_SECRET_KEY" in message


def test_production_accepts_real_servers_and_secrets(tmp_path):
    Settings(
        _env_file=None,
        profile="production",
        data_dir=tmp_path,
        metadata_uri="mongodb://mongo:27017/modelhub",
        objects_uri="s3://models",
        metrics_uri="postgresql://metrics:pw@timescaledb/metrics",
        s3_secret_key="a-real-secret-from-a-vault",
        auth_issuer="https://sso.example.com/realms/modelhub",
        demo_users=False,
    ).check()


def test_production_refuses_demo_users_and_a_missing_issuer(tmp_path):
    settings = Settings(_env_file=None, profile="production", data_dir=tmp_path)
    with pytest.raises(ValueError) as err:
        settings.check()
    assert "MODELHUB_AUTH_ISSUER" in str(err.value) and "MODELHUB_DEMO_USERS" in str(err.value)


def test_masked_configuration_hides_secrets(tmp_path):
    settings = Settings(
        _env_file=None, data_dir=tmp_path, metrics_uri="postgresql://user:hunter2@db/m", s3_secret_key="hunter2"
    )
    shown = settings.masked()
    assert "hunter2" not in str(shown)
    assert shown["metrics_uri"] == "postgresql://user:****@db/m"
    assert mask_uri("mongodb://host/db") == "mongodb://host/db"


def test_invalid_port_is_refused(tmp_path):
    with pytest.raises(ValueError, match="port"):
        Settings(_env_file=None, data_dir=tmp_path, port=70000)
