.PHONY: run test lint format lock

run:  ## install what the embedded mode needs and start ModelHub
	@bash scripts/run.sh

test:  ## install and start every server the tests need, run every test, stop them
	@bash scripts/test.sh

lint:
	@bash -c 'source scripts/lib.sh && ensure_app_env dev && ruff check backend tests benchmarks && ruff format --check backend tests benchmarks'

format:
	@bash -c 'source scripts/lib.sh && ensure_app_env dev && ruff check --fix backend tests benchmarks && ruff format backend tests benchmarks'

lock:  ## re-resolve the app's dependencies after editing backend/pyproject.toml
	@bash -c 'source scripts/lib.sh && ensure_uv && $$UV lock --project backend'
