"""Throwaway databases for a benchmark run: configured through the environment before
Django starts, migrated and loaded with the demo province, removed afterwards."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tongban_bench"
SETTINGS = "tongban.settings.base"

Progress = Callable[[str], None]


def postgres_url() -> str:
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = urlsplit(url).path.lstrip("/")
    # Never touch a database that is not ours (CI uses "test" and "test_test").
    if not name.startswith("tongban_bench"):
        raise SystemExit(f"refusing database {name!r}: the name must start with tongban_bench")
    return url


def _admin_connect(url: str) -> tuple[Any, str]:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), parts.path.lstrip("/")


def postgres_recreate(url: str) -> None:
    connection, name = _admin_connect(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def postgres_drop(url: str) -> None:
    connection, name = _admin_connect(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Environment:
    """The environment of one benchmark process: a temporary var/ directory (keys, media,
    the SQLite file) and ``DATABASE_URL``; call :meth:`configure` before ``django.setup``."""

    def __init__(self, db: str):
        if db not in ("sqlite", "postgres"):
            raise ValueError(f"unknown database {db!r}")
        self.db = db
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"tongban-bench-{db}-"))
        if db == "sqlite":
            self.url = f"sqlite:///{self.var_dir / 'bench.sqlite3'}"
        else:
            self.url = postgres_url()

    def configure(self) -> None:
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
        os.environ["TONGBAN_VAR_DIR"] = str(self.var_dir)
        os.environ["DATABASE_URL"] = self.url
        os.environ.pop("TONGBAN_DEBUG", None)
        if self.db == "postgres":
            postgres_recreate(self.url)

    def prepare(self, progress: Progress) -> dict[str, float]:
        """Migrate and load the demo province (with the service catalog); timed."""
        from django.core.management import call_command

        from tongban.demo.loader import load_demo

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter()
        progress(f"  migrations applied in {migrated - started:.1f} s")
        load_demo(progress=lambda line: progress(f"  demo {line.strip()}"))
        loaded = time.perf_counter()
        progress(f"  demo loaded in {loaded - migrated:.1f} s")
        return {"migrate_s": migrated - started, "load_demo_s": loaded - migrated}

    def cleanup(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.db == "postgres":
            postgres_drop(self.url)
        shutil.rmtree(self.var_dir, ignore_errors=True)
