"""``tongban registries sync [--source S]`` and ``tongban registries report [--manifest P]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import DomainError
from tongban.registries import planted, selectors, services


class Command(BaseCommand):
    help = "Sync the base registries from their sources, or report what reconciliation found."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="read the configured sources and reconcile")
        sync.add_argument("--source", default=None, help="one source code, e.g. gongan")
        report = sub.add_parser("report", help="counts of links, duplicates and conflicts")
        report.add_argument("--manifest", default=None, help="planted-inconsistency manifest")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sync":
            try:
                results = services.registry_sync(
                    source=options["source"], progress=lambda line: self.stdout.write(line)
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            if not results:
                self.stdout.write("no registry sources are configured")
            failed = [r for r in results if r.error]
            if failed:
                # The other sources were synced; the exit status says that some were not.
                raise CommandError(
                    "; ".join(f"{r.source}/{r.kind} failed: {r.error}" for r in failed)
                )
            return
        details = bool(options.get("manifest"))
        report = selectors.reconcile_report(details=details)
        self.stdout.write(f"records: {report.records}")
        self.stdout.write(f"golden records: {report.entities}")
        self.stdout.write(f"links: {report.links}")
        self.stdout.write(
            f"in-source duplicates: {report.duplicates} ({report.duplicate_groups} groups)"
        )
        self.stdout.write(f"conflicts: {report.conflicts}")
        self.stdout.write(f"stale status: {report.stale}")
        self.stdout.write(
            f"legal representatives in the population registry: {report.legal_rep_persons}"
        )
        if details:
            path = Path(options["manifest"])
            if not path.is_file():
                raise CommandError(f"manifest not found: {path}")
            try:
                rows = planted.compare(report, planted.load(path))
            except ValueError as exc:
                raise CommandError(f"unreadable manifest: {exc}") from exc
            self.stdout.write(planted.table(rows))
