"""``tongban manage load_demo``: load the demo province (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo province, departments, accounts, OIDC client and news (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
