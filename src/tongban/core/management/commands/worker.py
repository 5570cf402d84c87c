"""``tongban worker``: deliver outbox events and run due periodic jobs until stopped."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from tongban.core.services import outbox_deliver, periodic_run_due

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


class Command(BaseCommand):
    help = "Deliver domain events to their handlers and run periodic jobs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--idle-sleep", type=float, default=1.0)

    def run_pass(self) -> int:
        """Deliver due events and run due periodic jobs once; returns events delivered."""
        close_old_connections()
        delivered = outbox_deliver()
        ran = periodic_run_due()
        if delivered or ran:
            self.stdout.write(f"delivered {delivered} events; ran {', '.join(ran) or 'no jobs'}")
        return delivered

    def handle(self, *args: Any, once: bool = False, idle_sleep: float = 1.0, **kw: Any) -> None:
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker started")
        while not stopping:
            try:
                delivered = self.run_pass()
            except DatabaseError as exc:
                if once:
                    raise
                # The database restarting or failing over must not end the worker: nothing
                # was marked delivered, so the next pass picks the same events up again.
                logger.warning("worker pass failed, retrying in %.0f s: %s", RETRY_SECONDS, exc)
                close_old_connections()
                time.sleep(RETRY_SECONDS)
                continue
            if once:
                break
            if not delivered:
                time.sleep(idle_sleep)
        self.stdout.write("worker stopped")
