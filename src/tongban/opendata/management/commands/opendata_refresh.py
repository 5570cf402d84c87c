"""``tongban manage opendata_refresh [name ...]``: retake the snapshot of open datasets
from their sources (all active ones when no name is given)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.opendata.selectors import dataset_get, dataset_names
from tongban.opendata.services import dataset_refresh


class Command(BaseCommand):
    help = "Refresh the datastore snapshot and files of open datasets from their sources."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("names", nargs="*", help="dataset names (default: every active one)")

    def handle(self, *args: Any, names: list[str], **options: Any) -> None:
        failed = 0
        for name in names or dataset_names():
            try:
                rows = dataset_refresh(dataset_get(name))
            except DomainError as exc:
                failed += 1
                self.stderr.write(f"{name}: {exc.message}")
                continue
            self.stdout.write(f"{name}: {rows} rows")
        if failed:
            raise CommandError(f"{failed} dataset(s) could not be refreshed", returncode=1)
