#!/bin/bash
# First start of the `timescaledb` service only (docker-entrypoint-initdb.d): a read-only role for
# Grafana and Superset on the metrics database; the API and jobs write as the owner (`modelhub`).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="${METRICS_READER_PASSWORD:?METRICS_READER_PASSWORD is not set}" <<'SQL'
SELECT format('CREATE ROLE metrics_reader LOGIN PASSWORD %L', :'password') \gexec
GRANT CONNECT ON DATABASE metrics TO metrics_reader;
GRANT USAGE ON SCHEMA public TO metrics_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO metrics_reader;
-- Tables, views and continuous aggregates the API creates later (as modelhub) are readable too.
ALTER DEFAULT PRIVILEGES FOR ROLE modelhub IN SCHEMA public GRANT SELECT ON TABLES TO metrics_reader;
SQL
