"""``tongban manage build_legacy``: write the demo legacy sources (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.demo.legacy import build
from tongban.demo.legacy.build import default_target


class Command(BaseCommand):
    help = (
        "Write the demo legacy systems (公安 household register, 市场监管 enterprise register, "
        "人社 social insurance export) and manifest.json; skipped when already up to date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="target directory")
        parser.add_argument("--force", action="store_true", help="rebuild even if up to date")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["out"] or default_target()
        self.stdout.write(f"Building the demo legacy sources in {target} ...")
        manifest = build(target, progress=self.stdout.write, force=options["force"])
        state = "built" if manifest.built else "already up to date"
        self.stdout.write(self.style.SUCCESS(f"legacy sources {state}"))
