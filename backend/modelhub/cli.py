"""The `modelhub` command line: `serve` runs the API, `doctor` checks configuration and components,
`seed-demo` builds the demo catalog."""

from __future__ import annotations

import argparse
import json
import sys

from modelhub.config import Settings


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = Settings()
    settings.check()
    host = args.host or settings.host
    port = args.port or settings.port
    config = uvicorn.Config(
        "modelhub.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    print(f"ModelHub API listening on http://{host}:{port}", file=sys.stderr, flush=True)
    server.run()
    return 0


def doctor(args: argparse.Namespace) -> int:
    from modelhub.context import AppContext
    from modelhub.health.service import readiness

    try:
        settings = Settings()
    except ValueError as exc:
        print(f"configuration is invalid: {exc}")
        return 1
    print("Configuration:")
    for name, value in settings.masked().items():
        print(f"  {name:24} {value}")
    failures = []
    if settings.profile.value == "production":
        failures += settings.production_problems()
    context = AppContext.from_settings(settings)
    try:
        report = readiness(context)
    finally:
        context.close()
    print("Components:")
    for name, result in report.items():
        line = f"  {name:24} {result['status']}"
        if result.get("error"):
            line += f"  ({result['error']})"
            failures.append(f"{name}: {result['error']}")
        print(line)
    if args.json:
        print(json.dumps({"settings": settings.masked(), "components": report}))
    for failure in failures:
        print(f"problem: {failure}")
    return 1 if failures else 0


def seed_demo(args: argparse.Namespace) -> int:
    from modelhub.context import AppContext
    from modelhub.demo import needs_seed

    settings = Settings()
    settings.check()
    context = AppContext.from_settings(settings)
    try:
        if args.if_empty and not needs_seed(context):
            print("seed-demo: the catalog already has models; nothing to do (--if-empty)")
            return 0
        print("seed-demo: building the demo catalog (first start only)", flush=True)
        from modelhub.demo.seed import seed_demo as run_seed  # scikit-learn and skops: only when needed

        result = run_seed(context, history_months=args.history_months, progress=lambda m: print(f"  {m}", flush=True))
    finally:
        context.close()
    print(f"seed-demo: {result.summary()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="modelhub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the API server")
    serve_parser.add_argument("--host")
    serve_parser.add_argument("--port", type=int)
    serve_parser.set_defaults(run=serve)
    doctor_parser = commands.add_parser("doctor", help="print the effective configuration and check every component")
    doctor_parser.add_argument("--json", action="store_true", help="also print the report as JSON")
    doctor_parser.set_defaults(run=doctor)
    seed_parser = commands.add_parser(
        "seed-demo", help="build the demo catalog (300+ models with real versions); idempotent"
    )
    seed_parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the catalog has any model (unless a seed run stopped midway)",
    )
    seed_parser.add_argument("--history-months", type=int, default=4, help="months of metric history (0: none)")
    seed_parser.set_defaults(run=seed_demo)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ValueError as exc:  # invalid or unsafe settings: say which, without a traceback
        print(f"modelhub: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
