"""``tongban exchange verify-log|close-batch``: check or sign the exchange message log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.exchange.selectors import message_log_verify
from tongban.exchange.services import message_batch_close


class Command(BaseCommand):
    help = "Verify the exchange message log (exit 1 naming the first bad record) or sign its tail."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify-log", "close-batch"])
        parser.add_argument(
            "--min-seq",
            type=int,
            default=0,
            help="fail if the log has fewer records (the count recorded at an earlier run)",
        )

    def handle(self, *args: Any, action: str, min_seq: int = 0, **options: Any) -> None:
        if action == "close-batch":
            batch = message_batch_close()
            if batch is None:
                self.stdout.write("nothing to sign: every record is in a signed batch")
            else:
                self.stdout.write(f"signed batch of records #{batch.first_seq}-#{batch.last_seq}")
            return
        result = message_log_verify(min_seq=min_seq)
        if result.ok:
            self.stdout.write(f"exchange log intact: {result.checked} records verified")
            return
        raise CommandError(
            f"exchange log BROKEN at record #{result.broken_seq}: {result.reason} "
            f"({result.checked} records verified before it)",
            returncode=1,
        )
