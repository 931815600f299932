#!/bin/bash
# First start of the `postgres` service only (docker-entrypoint-initdb.d): one role and one database
# each for Airflow, Keycloak, MLflow and Superset, passwords from .env (docker-compose.yml).
set -euo pipefail
for app in airflow keycloak mlflow superset; do
    var="${app^^}_DB_PASSWORD"
    password="${!var:?$var is not set}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v role="$app" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role') \gexec
SQL
done
