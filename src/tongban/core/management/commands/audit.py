"""``tongban audit verify|checkpoint``: check or sign the hash-chained audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.selectors import audit_verify
from tongban.core.services import audit_checkpoint


class Command(BaseCommand):
    help = "Verify the audit chain (exit 1 naming the first broken entry) or sign its head."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--min-seq",
            type=int,
            default=0,
            help="fail if the log has fewer entries (the count recorded at an earlier run)",
        )

    def handle(self, *args: Any, action: str, min_seq: int = 0, **options: Any) -> None:
        if action == "checkpoint":
            checkpoint = audit_checkpoint()
            if checkpoint is None:
                self.stdout.write("audit head already signed (or the log is empty)")
            else:
                self.stdout.write(f"signed checkpoint at entry #{checkpoint.seq}")
            return
        result = audit_verify(min_seq=min_seq)
        if result.ok:
            self.stdout.write(f"audit log intact: {result.checked} entries verified")
            return
        raise CommandError(
            f"audit log BROKEN at entry #{result.broken_seq}: {result.reason} "
            f"({result.checked} entries verified before it)",
            returncode=1,
        )
