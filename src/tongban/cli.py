"""The ``tongban`` command: demo, serve, worker, audit, and Django's management commands."""

from __future__ import annotations

import argparse
import os
import sys

USAGE = """usage: tongban <command> [options]

commands:
  demo [--host H] [--port P] [--no-serve]   migrate, load the demo data (idempotent), serve
  serve [--host H] [--port P] [--workers N] run the production server (gunicorn)
  worker [--once]                           deliver events and run periodic jobs
  audit verify | audit checkpoint           check or sign the tamper-evident audit log
  manage <django command> ...               any Django management command
"""


def _setup(default_settings: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    import django

    django.setup()


def _serve(host: str, port: int, workers: int, settings_module: str) -> None:
    """Replace this process with gunicorn serving the WSGI application."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "tongban.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "20",
    ]
    print(f"Tongban serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    os.execv(sys.executable, args)  # noqa: S606 - fixed argv, no shell


def _server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("TONGBAN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TONGBAN_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "manage":
        _setup("tongban.settings.base")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["tongban manage", *rest])
        return 0
    if command == "demo":
        parser = argparse.ArgumentParser(prog="tongban demo")
        _server_args(parser)
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        options = parser.parse_args(rest)
        _setup("tongban.settings.base")
        from django.core.management import call_command

        print("[1/3] Migrating the database ...", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        print("[2/3] Loading the demo province ...", flush=True)
        call_command("load_demo")
        if options.no_serve:
            return 0
        print("[3/3] Starting the server ...", flush=True)
        _serve(options.host, options.port, options.workers, "tongban.settings.base")
        return 0
    if command == "serve":
        parser = argparse.ArgumentParser(prog="tongban serve")
        _server_args(parser)
        options = parser.parse_args(rest)
        _serve(options.host, options.port, options.workers, "tongban.settings.production")
        return 0
    if command in {"worker", "audit"}:
        _setup("tongban.settings.base")
        from django.core.management import execute_from_command_line

        # Through Django's runner so that a failed check exits non-zero with its message.
        execute_from_command_line(["tongban", command, *rest])
        return 0
    print(f"tongban: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
