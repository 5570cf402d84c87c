"""``tongban worker``: deliver outbox events and run due periodic jobs until stopped."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tongban.core.services import outbox_deliver, periodic_run_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver domain events to their handlers and run periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--idle-sleep", type=float, default=1.0)

    def handle(self, *args: Any, once: bool = False, idle_sleep: float = 1.0, **kw: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker started")
        while not stopping:
            close_old_connections()
            delivered = outbox_deliver()
            ran = periodic_run_due()
            if delivered or ran:
                self.stdout.write(
                    f"delivered {delivered} events; ran {', '.join(ran) or 'no jobs'}"
                )
            if once:
                break
            if not delivered:
                time.sleep(idle_sleep)
        self.stdout.write("worker stopped")
