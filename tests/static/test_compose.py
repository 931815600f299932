"""The production stack checked without a Docker engine (none runs here, and `docker compose config`
is not available): docker-compose.yml against the Compose Specification's JSON schema, every path it
mounts or builds, every variable it reads documented, every ModelHub setting it sets real, the realm,
Grafana provisioning and Superset bundle it mounts being the very files the integration tests load,
and the Dockerfiles it builds (sources exist and survive .dockerignore, non-root users)."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from modelhub.config import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
# Vendored from github.com/compose-spec/compose-spec, schema/compose-spec.json (Apache-2.0), see README.md here.
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")
ENV_EXAMPLE = REPO / ".env.example"
DEPLOY_DOC = REPO / "docs" / "deploy.md"

# `${VAR}`, `${VAR:-default}`, `${VAR:?message}`; `$${VAR}` is a literal `${VAR}` for the container's shell.
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
# Names of secrets (a *_PASSWORDS_FILE is a path, not a secret).
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|SECRET_KEY|FERNET_KEY)$")
# Environment variables of ModelHub read by name (os.environ), not through Settings: the factory's
# and the Spark launcher's. Each must really be read somewhere in the code (checked below).
JOB_ENVIRONMENT = {"MODELHUB_API_URL", "MODELHUB_JOB_PYTHON", "MODELHUB_SPARK_JOBS_DIR", "MODELHUB_SPARK_JARS_DIR"}
# Services that run ModelHub code with ModelHub settings.
MODELHUB_SERVICES = ("backend", "seed-demo", "airflow-worker", "airflow-worker-gpu")


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


COMPOSE = load_compose()
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def strings(node: Any):
    """Every string value of a YAML tree (comments are not values, so they are not checked)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def variables() -> dict[str, set[str]]:
    """Variable name -> the modifiers it is used with ('' for none, ':-', ':?', ...)."""
    found: dict[str, set[str]] = {}
    for text in strings(COMPOSE):
        for name, modifier, _ in VARIABLE.findall(text):
            found.setdefault(name, set()).add(modifier)
    return found


def environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def bind_mounts(service: str) -> list[tuple[str, str]]:
    """(host path, container path) of the service's bind mounts; named volumes are not included."""
    mounts = []
    for volume in SERVICES[service].get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append((source, target))
    return mounts


def mount_source(service: str, target: str) -> Path:
    for source, container_path in bind_mounts(service):
        if container_path == target:
            return (REPO / source).resolve()
    raise AssertionError(f"{service} mounts nothing at {target}")


# -- the Compose Specification ------------------------------------------------------------------
def test_compose_file_validates_against_the_compose_specification_schema():
    schema = json.loads(SCHEMA_FILE.read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(COMPOSE), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    assert "version" not in COMPOSE, "the Compose Specification has no version key"


def test_schema_rejects_what_compose_rejects():
    """The vendored schema really checks: a typo'd service key and a bad depends_on condition fail."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))
    assert list(validator.iter_errors({"services": {"a": {"image": "x", "helthcheck": {}}}}))
    bad = {"services": {"a": {"image": "x", "depends_on": {"b": {"condition": "service_ready"}}}, "b": {"image": "y"}}}
    assert list(validator.iter_errors(bad))


def test_every_server_of_the_stack_is_there():
    expected = {
        "mongo", "minio", "minio-init", "timescaledb", "keycloak", "postgres", "redis",
        "airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker",
        "spark-master", "spark-worker", "spark-worker-gpu", "mlflow", "grafana", "superset", "superset-init",
        "backend", "frontend",
    }  # fmt: skip
    assert expected <= set(SERVICES)
    assert SERVICES["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_profiles_keep_demo_users_and_gpus_out_of_the_default_stack():
    for name in ("keycloak-demo-users", "seed-demo"):
        assert SERVICES[name]["profiles"] == ["demo"]
    gpu_services = {name for name, service in SERVICES.items() if "gpu" in service.get("profiles", [])}
    assert {"spark-worker-gpu", "airflow-worker-gpu"} <= gpu_services
    for name in gpu_services:
        devices = SERVICES[name]["deploy"]["resources"]["reservations"]["devices"]
        assert devices and devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    for name, service in SERVICES.items():
        if not service.get("profiles"):
            assert environment(name).get("MODELHUB_DEMO_USERS", "false") == "false", name


# -- health and start order ---------------------------------------------------------------------
def one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def test_every_long_running_service_has_a_healthcheck():
    missing = [name for name, s in SERVICES.items() if not one_shot(s) and not s.get("healthcheck")]
    assert not missing, f"services without a healthcheck: {missing}"


def test_depends_on_waits_for_health_or_completion():
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions (long syntax)"
        for target, rule in depends.items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = rule.get("condition")
            if one_shot(SERVICES[target]):
                assert condition == "service_completed_successfully", f"{name} -> {target}"
            else:
                assert condition == "service_healthy", f"{name} -> {target}"
                assert SERVICES[target].get("healthcheck"), f"{name} waits for {target}, which has no healthcheck"
            assert not (SERVICES[target].get("profiles") and not service.get("profiles")), (
                f"{name} (default profile) cannot depend on {target} (profile {SERVICES[target]['profiles']})"
            )


# -- paths --------------------------------------------------------------------------------------
def test_every_bind_mounted_path_exists_and_every_named_volume_is_declared():
    declared = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), f"{name} mounts {source}, which is not in the repo"
            else:
                assert source in declared, f"{name} uses the undeclared volume {source}"


def builds() -> dict[str, dict[str, str]]:
    found = {}
    for name, service in SERVICES.items():
        build = service.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        found[name] = {"context": build.get("context", "."), "dockerfile": build.get("dockerfile", "Dockerfile")}
    return found


def dockerfiles() -> dict[Path, Path]:
    """Dockerfile -> its build context, for every image the compose file builds."""
    found = {}
    for build in builds().values():
        context = (REPO / build["context"]).resolve()
        found[(context / build["dockerfile"]).resolve()] = context
    return found


def test_every_build_context_and_dockerfile_exists():
    assert builds(), "the stack builds its own images"
    for name, build in builds().items():
        context = REPO / build["context"]
        assert context.is_dir(), f"{name}: no build context {context}"
        assert (context / build["dockerfile"]).is_file(), f"{name}: no {build['dockerfile']}"
    # Services sharing an image tag build it from the same Dockerfile.
    by_image: dict[str, set[str]] = {}
    for name, build in builds().items():
        by_image.setdefault(SERVICES[name]["image"], set()).add(build["dockerfile"])
    assert all(len(files) == 1 for files in by_image.values()), by_image


# -- variables ----------------------------------------------------------------------------------
def env_example() -> dict[str, str]:
    entries = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            entries[name.strip()] = value.strip()
    return entries


def test_every_variable_is_in_env_example_and_in_the_deploy_doc():
    used = set(variables())
    assert used, "the compose file reads its settings from .env"
    documented = set(env_example())
    assert not used - documented, f"missing from .env.example: {sorted(used - documented)}"
    unused = sorted(documented - used)
    assert not unused, f".env.example lists variables the compose file never reads: {unused}"
    doc = DEPLOY_DOC.read_text()
    undocumented = sorted(name for name in used if name not in doc)
    assert not undocumented, f"docs/deploy.md does not explain {undocumented}"


def test_secrets_are_required_never_defaulted_and_empty_in_env_example():
    example = env_example()
    for name, modifiers in variables().items():
        if SECRET_NAME.search(name):
            assert modifiers == {":?"}, f"{name} must be used as ${{{name}:?message}} everywhere, not {modifiers}"
            assert example[name] == "", f".env.example must not carry a value for the secret {name}"


def test_no_literal_password_in_the_compose_file():
    for name in SERVICES:
        for key, value in environment(name).items():
            if SECRET_NAME.search(key) and value:
                assert VARIABLE.search(value), f"{name}: {key} is a literal, not from .env"


def settings_names() -> set[str]:
    return {f"MODELHUB_{field.upper()}" for field in Settings.model_fields}


def test_modelhub_settings_set_for_the_services_are_real_settings():
    fields = settings_names()
    for service in MODELHUB_SERVICES:
        names = {k for k in environment(service) if k.startswith("MODELHUB_")}
        allowed = fields | (JOB_ENVIRONMENT if service.startswith("airflow") else set())
        assert not names - allowed, f"{service} sets {sorted(names - allowed)}, which ModelHub does not read"
    backend = environment("backend")
    assert backend["MODELHUB_PROFILE"] == "production"
    assert backend["MODELHUB_DEMO_USERS"] == "false"


def test_the_backend_environment_passes_the_production_checks():
    """The backend's settings with every ${VAR} filled in: the production profile accepts them."""
    values = {name: f"s3cr3t-{name.lower()}-0123456789" for name in variables()}

    def fill(text: str) -> str:
        return VARIABLE.sub(lambda m: values[m.group(1)], text)

    env = {k: fill(v) for k, v in environment("backend").items()}
    settings = Settings(_env_file=None, **{k.removeprefix("MODELHUB_").lower(): v for k, v in env.items()})
    assert settings.production_problems() == []
    settings.check()


def test_job_environment_names_are_read_by_the_code():
    sources = [REPO / "airflow" / "dags" / "modelhub_factory.py", *(REPO / "backend" / "modelhub").rglob("*.py")]
    text = "\n".join(path.read_text() for path in sources)
    for name in sorted(JOB_ENVIRONMENT):
        assert f'"{name}"' in text, f"nothing reads {name}"


def test_dockerfile_modelhub_environment_is_real():
    allowed = settings_names() | JOB_ENVIRONMENT
    for dockerfile in dockerfiles():
        for instruction, arguments in instructions(dockerfile):
            if instruction == "ENV":
                names = set(re.findall(r"\b(MODELHUB_[A-Z0-9_]+)=", arguments))
                assert not names - allowed, f"{dockerfile.name}: {sorted(names - allowed)} are not ModelHub settings"


# -- the files the integration tests load are the ones the stack mounts --------------------------
def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_static_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REALM_IN_CONTAINER = "/opt/modelhub/keycloak/realm-modelhub.json"


def test_keycloak_imports_the_realm_file_the_tests_load():
    from tests.harness.keycloak import DEFAULT_REALM_FILE

    for service in ("keycloak-realm", "keycloak-demo-users"):
        command = SERVICES[service]["command"]
        source = command[command.index("--source") + 1]
        assert source == REALM_IN_CONTAINER
        folder = mount_source(service, str(Path(REALM_IN_CONTAINER).parent))
        assert folder / Path(REALM_IN_CONTAINER).name == DEFAULT_REALM_FILE.resolve()
    keycloak = SERVICES["keycloak"]
    assert "--import-realm" in keycloak["command"]
    assert "keycloak-import:/opt/keycloak/data/import:ro" in keycloak["volumes"]
    assert "keycloak-import:/import" in SERVICES["keycloak-realm"]["volumes"]


def test_grafana_mounts_the_provisioning_the_tests_check():
    module = load_module(REPO / "tests" / "integration" / "test_grafana_dashboards.py")
    provisioning = mount_source("grafana", "/etc/grafana/provisioning")
    dashboards_target = next(t for s, t in bind_mounts("grafana") if t != "/etc/grafana/provisioning")
    dashboards = mount_source("grafana", dashboards_target)
    assert module.DASHBOARDS and {p.parent.resolve() for p in module.DASHBOARDS} == {dashboards}
    assert module.DATASOURCE_FILES and {p.parent.parent.resolve() for p in module.DATASOURCE_FILES} == {provisioning}
    # The provider loads the folder where the dashboards are mounted.
    for provider_file in module.PROVIDER_FILES:
        for provider in yaml.safe_load(provider_file.read_text())["providers"]:
            assert provider["options"]["path"] == dashboards_target
    # Every variable the datasource reads is set in Grafana's environment.
    env = environment("grafana")
    for datasource_file in module.DATASOURCE_FILES:
        values = "\n".join(strings(yaml.safe_load(datasource_file.read_text())))
        for name in re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", values):
            assert name in env, f"{datasource_file.name} reads {name}, which the grafana service does not set"


def test_superset_init_imports_the_bundle_the_tests_import():
    from tests.harness import superset as harness

    mounted = mount_source("superset-init", "/opt/modelhub/superset")
    init = (REPO / "docker" / "superset" / "superset-init.sh").read_text()
    scripts = re.findall(r"/opt/modelhub/superset/(\S+\.py)", init)
    assert scripts, "superset-init.sh runs the bundle's import script"
    for script in scripts:
        assert (mounted / script).resolve() == harness.IMPORT_SCRIPT.resolve()
    assert "MODELHUB_SUPERSET_METRICS_URI" in environment("superset-init")
    # The image installs the lock the test server is installed from.
    steps = instructions(REPO / "docker" / "superset" / "Dockerfile")
    locks = [copy_sources(a) for i, a in steps if i == "COPY" and "requirements.lock" in a]
    assert locks and (REPO / locks[0][0]).resolve() == harness.LOCK_FILE.resolve()
    assert "superset-init.sh" in " ".join(SERVICES["superset-init"]["command"])


# -- Dockerfiles --------------------------------------------------------------------------------
def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def ignore_patterns(dockerfile: Path, context: Path) -> list[str]:
    specific = dockerfile.with_name(dockerfile.name + ".dockerignore")
    chosen = specific if specific.is_file() else context / ".dockerignore"
    if not chosen.is_file():
        return []
    return [p.strip() for p in chosen.read_text().splitlines() if p.strip() and not p.startswith("#")]


def pattern_regex(pattern: str) -> re.Pattern:
    """Docker's .dockerignore pattern (Go filepath.Match plus `**`) as a regex over a relative path."""
    pattern = pattern.strip("/")
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if pattern.startswith("/", i):
                out = out[:-2] + "(.*/)?"
                i += 1
            continue
        char = pattern[i]
        out += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


def excluded(relative: str, patterns: list[str]) -> bool:
    """moby/patternmatcher MatchesOrParentMatches: the last pattern matching the path or a parent wins."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = pattern_regex(pattern[1:] if negate else pattern)
        if any(regex.match(candidate) for candidate in candidates):
            result = not negate
    return result


def copy_sources(arguments: str) -> list[str] | None:
    """Sources of a COPY/ADD from the build context; None when it copies from a stage or an image."""
    words = shlex.split(arguments)
    if any(w.startswith("--from") for w in words):
        return None
    words = [w for w in words if not w.startswith("--")]
    if words and words[0].startswith("["):
        words = json.loads(arguments[arguments.index("[") :])
    return words[:-1]


@pytest.mark.parametrize("dockerfile", sorted(dockerfiles()), ids=lambda p: str(p.relative_to(REPO)))
def test_dockerfile_copies_exist_and_survive_dockerignore(dockerfile: Path):
    context = dockerfiles()[dockerfile]
    patterns = ignore_patterns(dockerfile, context)
    for instruction, arguments in instructions(dockerfile):
        if instruction not in ("COPY", "ADD"):
            continue
        sources = copy_sources(arguments)
        for source in sources or []:
            if re.match(r"https?://", source):
                continue
            path = context / source
            assert path.exists(), f"{dockerfile.name}: COPY {source} does not exist in the context"
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            kept = [f for f in files if not excluded(str(f.relative_to(context)), patterns)]
            assert kept, f"{dockerfile.name}: COPY {source} is excluded by the .dockerignore"


def final_stage_user(dockerfile: Path) -> str | None:
    user = None
    for instruction, arguments in instructions(dockerfile):
        if instruction == "FROM":
            user = None
        elif instruction == "USER":
            user = arguments.split(":")[0]
    return user


@pytest.mark.parametrize("image", ["backend", "airflow", "spark", "mlflow", "superset"])
def test_images_run_as_a_non_root_user(image: str):
    user = final_stage_user(REPO / "docker" / image / "Dockerfile")
    assert user and user not in ("root", "0"), f"docker/{image}/Dockerfile's final stage runs as {user or 'root'}"


def api_paths(tmp_path: Path) -> set[str]:
    from modelhub.app import create_app

    return set(create_app(Settings(_env_file=None, data_dir=tmp_path)).openapi()["paths"])


def test_backend_image_is_multi_stage_uv_frozen_and_checks_the_health_route(tmp_path):
    dockerfile = REPO / "docker" / "backend" / "Dockerfile"
    steps = instructions(dockerfile)
    assert sum(1 for i, _ in steps if i == "FROM") >= 2
    assert any(i == "RUN" and "uv sync --frozen --no-dev" in a for i, a in steps)
    health = next(a for i, a in steps if i == "HEALTHCHECK")
    route = re.search(r"127\.0\.0\.1:8000(/api/[a-z/]+)", health).group(1)
    assert route in api_paths(tmp_path)
    assert route in " ".join(SERVICES["backend"]["healthcheck"]["test"])


def test_nginx_streams_the_logs_route_unbuffered(tmp_path):
    conf = (REPO / "docker" / "frontend" / "nginx.conf").read_text()
    streams = [p for p in api_paths(tmp_path) if p.endswith("/logs/stream")]
    assert streams, "the API has a logs stream route"
    block = re.search(r"location ~ (\S+) \{(.*?)\n    \}", conf, re.S)
    assert block, "nginx.conf has a regex location for the logs stream"
    location = re.compile(block.group(1))
    for path in streams:
        assert location.match(re.sub(r"\{[^}]+\}", "0123abcd", path)), f"{path} is not matched by {block.group(1)}"
    assert "proxy_buffering off;" in block.group(2)
    assert re.search(r"location /api/ \{[^}]*proxy_pass \$backend;", conf)


def test_the_airflow_image_runs_jobs_with_the_modelhub_venv():
    steps = instructions(REPO / "docker" / "airflow" / "Dockerfile")
    froms = [a for i, a in steps if i == "FROM"]
    assert froms[-1].startswith("apache/airflow:"), "the final stage is the Airflow image"
    env = " ".join(a for i, a in steps if i == "ENV")
    assert "MODELHUB_JOB_PYTHON=/opt/modelhub/venv/bin/python" in env
    assert any(i == "RUN" and "apache-airflow-providers-apache-spark" in a for i, a in steps)
    copied = " ".join(a for i, a in steps if i == "COPY")
    assert "airflow/dags/modelhub_factory.py" in copied
    # The generated specs the backend writes are the folder Airflow parses.
    backend_dags = environment("backend")["MODELHUB_DAGS_DIR"]
    assert f"dags-generated:{backend_dags}" in SERVICES["backend"]["volumes"]
    assert "dags-generated:/opt/airflow/dags/generated:ro" in SERVICES["airflow-dag-processor"]["volumes"]
    assert SERVICES["airflow-dag-processor"]["environment"]["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"


def test_readme_links_the_deploy_doc():
    readme = (REPO / "README.md").read_text()
    assert "docs/deploy.md" in readme


def test_s3a_jars_match_the_hadoop_inside_pyspark():
    """hadoop-aws must be the Hadoop version pyspark bundles; the SDK versions are what its POM pins,
    as scripts/install/spark.sh (the jars the Spark tests use) has them."""
    import pyspark

    bundled = sorted((Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"))
    assert bundled, "pyspark bundles hadoop-client-api"
    hadoop = bundled[0].stem.removeprefix("hadoop-client-api-")
    wanted = {}
    for line in (REPO / "docker" / "spark" / "jars.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            _group, artifact, version = line.split(":")
            wanted[artifact] = version
    assert wanted["hadoop-aws"] == hadoop
    install = (REPO / "scripts" / "install" / "spark.sh").read_text()
    pinned = re.search(rf'{re.escape(hadoop)}\) AWS_SDK_VERSION="\$\{{AWS_SDK_VERSION:-([^}}]+)\}}"; '
                       rf'ACCEL_VERSION="\$\{{ACCEL_VERSION:-([^}}]+)\}}"', install)  # fmt: skip
    assert pinned, f"scripts/install/spark.sh has no versions for Hadoop {hadoop}"
    assert (wanted["bundle"], wanted["analyticsaccelerator-s3"]) == pinned.groups()


@pytest.mark.parametrize("script", sorted((REPO / "docker").rglob("*.sh")), ids=lambda p: str(p.relative_to(REPO)))
def test_shell_scripts_parse(script: Path):
    import subprocess

    shell = "sh" if script.read_text().startswith("#!/bin/sh") else "bash"
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_jobs_get_no_database_credentials_of_the_metadata_store():
    """Airflow tasks reach metadata through the API with a service token (DESIGN: never the database)."""
    assert "MODELHUB_METADATA_URI" in environment("backend")
    for name in SERVICES:
        if name.startswith("airflow"):
            assert "MODELHUB_METADATA_URI" not in environment(name), name
            assert not any("mongo" in value for value in environment(name).values()), name


def test_env_example_cannot_change_a_local_run():
    """`make run` reads ModelHub's settings from a .env in the repo root too: the stack's .env must not
    carry MODELHUB_* names, or copying .env.example would reconfigure the embedded mode."""
    assert not [name for name in env_example() if name.startswith("MODELHUB_")]


def test_compose_defaults_agree_with_env_example():
    """A variable left out of .env takes the compose file's default: the same value .env.example shows."""
    example = env_example()
    for text in strings(COMPOSE):
        for name, modifier, default in VARIABLE.findall(text):
            if modifier == ":-":
                assert example[name] == default, f"{name}: compose default {default!r}, .env.example {example[name]!r}"
