.PHONY: run test lint format lock

PY_PATHS := backend tests benchmarks spark_jobs superset grafana airflow docker frontend/e2e

run:  ## install what the embedded mode needs and start ModelHub
	@bash scripts/run.sh

test:  ## install and start every server the tests need, run every test, stop them
	@bash scripts/test.sh

lint:
	@bash -c 'source scripts/lib.sh && ensure_app_env dev && ruff check $(PY_PATHS) && ruff format --check $(PY_PATHS)'

format:
	@bash -c 'source scripts/lib.sh && ensure_app_env dev && ruff check --fix $(PY_PATHS) && ruff format $(PY_PATHS)'

lock:  ## re-resolve the app's dependencies after editing backend/pyproject.toml
	@bash -c 'source scripts/lib.sh && ensure_uv && $$UV lock --project backend'

.PHONY: frontend-gen frontend-test

frontend-gen:  ## regenerate frontend/openapi.json and the typed API client (frontend/src/api/schema.d.ts)
	@bash frontend/scripts/gen-api.sh

frontend-test:  ## the web UI's checks alone: lint, types, API drift, unit tests, build, end-to-end in Chromium
	@bash scripts/test-frontend.sh
