"""An email backend for worker processes under test: every message "sent" becomes one JSON
line appended to the file named by ``TONGBAN_TEST_MAILBOX``, so a test can count what left
the platform, including what a killed process sent before it died."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class JsonLinesBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        lines = [
            json.dumps({"to": m.to, "subject": m.subject, "body": m.body}, ensure_ascii=False)
            for m in email_messages
        ]
        # One O_APPEND write per message: whole lines even if the process is killed.
        fd = os.open(os.environ["TONGBAN_TEST_MAILBOX"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            for line in lines:
                os.write(fd, f"{line}\n".encode())
        finally:
            os.close(fd)
        return len(lines)


def read(path: Path) -> list[dict[str, Any]]:
    """The messages sent so far (none if nothing was sent yet)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
