"""The ``tongban`` command: demo, serve, worker, audit, and Django's management commands."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

USAGE = """usage: tongban <command> [options]

commands:
  demo [--host H] [--port P] [--no-serve]   migrate, load the demo data (idempotent), serve
  serve [--host H] [--port P] [--workers N] run the production server (gunicorn)
  worker [--once]                           deliver events and run periodic jobs
  audit verify | audit checkpoint           check or sign the tamper-evident audit log
  calendar add-working-days DATE N          the date N working days after DATE
  exchange verify-log | exchange close-batch check or sign the exchange message log
  registries sync [--source S] | report     sync the base registries, report reconciliation
  licences verify FILE --keys KEYS.json     verify a signed licence offline (no server)
  licences import FILE --type T --issuer D  import existing licences (CSV or XLSX)
  licences keys | rotate-key --issuer D     publish or rotate departments' signing keys
  generate --cases N [--days D] [--seed S]  bulk-generate cases, appeals, registry records
  manage <django command> ...               any Django management command
"""


def _setup(default_settings: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    import django

    django.setup()


def _gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    return [
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
        # The control socket defaults to one path per user, which several instances on a
        # host would share; nothing here uses gunicornc.
        "--no-control-socket",
    ]


def _serve(host: str, port: int, workers: int, settings_module: str) -> None:
    """Replace this process with gunicorn serving the WSGI application."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    print(f"Tongban serving on http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    argv = _gunicorn_argv(host, port, workers)
    os.execv(argv[0], argv)  # noqa: S606 - fixed argv, no shell


def _serve_with_worker(host: str, port: int, workers: int) -> int:
    """Run gunicorn and one ``tongban worker`` side by side; stop both when either ends."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
    children = [
        subprocess.Popen([sys.executable, "-m", "tongban.cli", "worker"]),
        subprocess.Popen(_gunicorn_argv(host, port, workers)),  # noqa: S603
    ]
    print(f"Tongban demo on http://{host}:{port}/ with a worker (Ctrl+C to stop)", flush=True)

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    stop(signal.SIGTERM, None)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return max(abs(child.returncode or 0) for child in children)


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

        print("[1/3] Migrating the database and collecting static files ...", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print("[2/3] Loading the demo province ...", flush=True)
        call_command("load_demo")
        if options.no_serve:
            return 0
        print("[3/3] Starting the server and the worker ...", flush=True)
        return _serve_with_worker(options.host, options.port, options.workers)
    if command == "serve":
        parser = argparse.ArgumentParser(prog="tongban serve")
        _server_args(parser)
        options = parser.parse_args(rest)
        _serve(options.host, options.port, options.workers, "tongban.settings.production")
        return 0
    if command in {"worker", "audit", "calendar", "registries", "exchange", "licences", "generate"}:
        _setup("tongban.settings.base")
        from django.core.management import execute_from_command_line

        # Through Django's runner so that a failed check exits non-zero with its message.
        execute_from_command_line(["tongban", command, *rest])
        return 0
    print(f"tongban: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
