"""Import ModelHub's Superset dashboard (superset/bundle/) into a Superset, pointed at a metrics store.

    MODELHUB_SUPERSET_METRICS_URI=postgresql://reader:secret@metrics:5432/modelhub \\
        python superset/import_bundle.py [--superset /path/to/bin/superset] [--username admin]

Runs in any Python with PyYAML (Superset's own venv has it; superset/import.sh picks that one). It
zips the bundle with the database URI filled in, runs `superset import-dashboards -p bundle.zip -u
admin`, then `superset set-database-uri`, because an import never changes a database that already
exists (same uuid): so re-running it after a password change updates the connection. The URI never
lands on disk outside a private temporary directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

BUNDLE = Path(__file__).resolve().parent / "bundle"
DATABASE_FILE = "databases/ModelHub_metrics.yaml"


def superset_uri(uri: str) -> str:
    """Superset's PostgreSQL driver is psycopg2: postgresql://… and postgresql+psycopg://… map onto it.
    sqlite:///… (the embedded store of `make run`) is kept as is."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg2://" + uri[len(prefix) :]
    if uri.startswith(("postgresql+psycopg2://", "sqlite:///")):
        return uri
    raise SystemExit(f"the metrics store must be PostgreSQL or SQLite for Superset, not {uri.split('://')[0]}://")


def for_sqlite(doc: dict) -> dict:
    """A dataset read from the embedded SQLite store: no schema, and its time column holds Unix epoch
    seconds (backend/modelhub/stores/metrics/views.py), which Superset converts when told so."""
    doc["schema"] = None
    for column in doc["columns"]:
        if column.get("is_dttm"):
            column["python_date_format"] = "epoch_s"
            column["type"] = "REAL"
    return doc


def build_zip(uri: str, target: Path, bundle: Path = BUNDLE) -> Path:
    """The bundle as Superset's import zip (one top folder), with the database's URI set."""
    root = "modelhub_dashboard_export"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bundle.rglob("*.yaml")):
            name = path.relative_to(bundle).as_posix()
            text = path.read_text()
            if name == DATABASE_FILE:
                doc = yaml.safe_load(text)
                doc["sqlalchemy_uri"] = uri
                text = yaml.safe_dump(doc, sort_keys=False)
            elif name.startswith("datasets/") and uri.startswith("sqlite:"):
                text = yaml.safe_dump(for_sqlite(yaml.safe_load(text)), sort_keys=False)
            archive.writestr(f"{root}/{name}", text)
    return target


def database_name(bundle: Path = BUNDLE) -> str:
    return yaml.safe_load((bundle / DATABASE_FILE).read_text())["database_name"]


def import_bundle(superset: str, uri: str, username: str = "admin", env: dict[str, str] | None = None) -> None:
    uri = superset_uri(uri)
    work = Path(tempfile.mkdtemp(prefix="modelhub-superset-"))
    try:
        archive = build_zip(uri, work / "bundle.zip")
        for command in (
            [superset, "import-dashboards", "-p", str(archive), "-u", username],
            [superset, "set-database-uri", "-d", database_name(), "-u", uri, "--skip_create"],
        ):
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                output = (result.stdout + result.stderr).replace(uri, "<metrics uri>")
                raise RuntimeError(f"{command[1]} failed ({result.returncode}):\n{output[-4000:]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--superset", default=shutil.which("superset") or "superset", help="the superset CLI")
    parser.add_argument("--username", default=os.environ.get("SUPERSET_ADMIN_USERNAME", "admin"))
    args = parser.parse_args()
    uri = os.environ.get("MODELHUB_SUPERSET_METRICS_URI") or os.environ.get("MODELHUB_METRICS_URI")
    if not uri:
        sys.exit("set MODELHUB_SUPERSET_METRICS_URI (or MODELHUB_METRICS_URI) to the metrics store's PostgreSQL URI")
    import_bundle(args.superset, uri, args.username)
    print("imported the ModelHub dashboard (slug: modelhub)")


if __name__ == "__main__":
    main()
