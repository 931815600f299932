from __future__ import annotations

import pytest

from modelhub.config import Settings
from modelhub.stores.metadata import open_metadata_store
from modelhub.stores.metrics import open_metrics_store
from modelhub.stores.objects import open_object_store
from tests.conftest import unique_name


@pytest.fixture(params=["sqlite", "mongodb"])
def metadata_store(request, tmp_path):
    if request.param == "sqlite":
        store = open_metadata_store(f"sqlite:///{tmp_path / 'metadata.db'}")
        yield store
        store.close()
    else:
        server = request.getfixturevalue("ferretdb")
        store = open_metadata_store(server.uri.rstrip("/") + "/" + unique_name("contract_"))
        yield store
        store.drop_database()
        store.close()


@pytest.fixture(params=["local", "s3"])
def object_store(request, tmp_path):
    if request.param == "local":
        yield open_object_store(Settings(objects_uri=f"file://{tmp_path / 'objects'}", data_dir=tmp_path))
    else:
        server = request.getfixturevalue("minio")
        settings = Settings(
            data_dir=tmp_path,
            objects_uri=f"s3://{unique_name('contract-')}/some/prefix",
            s3_endpoint=server.endpoint,
            s3_access_key=server.access_key,
            s3_secret_key=server.secret_key,
        )
        yield open_object_store(settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def metrics_store(request, tmp_path):
    if request.param == "sqlite":
        store = open_metrics_store(f"sqlite:///{tmp_path / 'metrics.db'}")
    else:
        server = request.getfixturevalue("postgres")
        store = open_metrics_store(server.dsn_for(server.create_database(unique_name("contract_"))))
    yield store
    store.close()
