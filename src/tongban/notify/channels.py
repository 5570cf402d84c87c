"""External channels (email, SMS) and the SMS gateway adapters.

A channel turns a :class:`Message` into something sent to one address and raises when it
could not. :class:`DeliveryFailed` with ``permanent=True`` means retrying cannot help (the
address was refused); any other exception is temporary and the outbox retries it later.

Settings (each read from Django settings, else from the environment variable of the same
name, else its default; none is required):

- ``TONGBAN_SMS_GATEWAY_URL``: the HTTP(S) endpoint of the SMS gateway; empty logs SMS to
  the console instead (development).
- ``TONGBAN_SMS_GATEWAY_KEY``: the shared key of the ``X-Signature`` HMAC-SHA256 header.
- ``TONGBAN_SMS_GATEWAY_TIMEOUT``: seconds to wait for the gateway (default 5).
- ``TONGBAN_PUBLIC_URL``: the site's public address (``https://zwfw.example.gov.cn``), used
  to turn relative links into absolute ones in emails; empty leaves links out.
- Django's ``EMAIL_BACKEND``, ``EMAIL_HOST`` ... and ``DEFAULT_FROM_EMAIL`` for email.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import smtplib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

EMAIL, SMS = "email", "sms"
SMS_TITLE_CHARS = 50  # with the hint, the text fits in two SMS segments
# Resident ID numbers (18 characters) and long digit runs never go out by SMS.
_ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15,}")


class DeliveryFailed(Exception):
    """A channel could not send; ``permanent`` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str = ""


class Channel(Protocol):
    code: str

    def send(self, *, address: str, message: Message) -> None:
        """Send ``message`` to ``address``; raise on failure."""


def setting(name: str, default: str = "") -> str:
    """A notify setting: Django settings first, then the environment."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value or default)


def absolute_link(link: str) -> str:
    base = setting("TONGBAN_PUBLIC_URL").rstrip("/")
    if not link or not base:
        return ""
    return f"{base}{link}"


class EmailChannel:
    """Email through Django's ``send_mail`` (``EMAIL_BACKEND``, ``DEFAULT_FROM_EMAIL``)."""

    code = EMAIL

    def send(self, *, address: str, message: Message) -> None:
        lines = [message.body] if message.body else []
        link = absolute_link(message.link)
        if link:
            lines.append(_("详情：%(link)s") % {"link": link})
        lines.append(_("您也可以登录一网通办，在“我的消息”中查看。"))
        try:
            send_mail(
                subject=message.title,
                message="\n\n".join(lines),
                from_email=None,  # DEFAULT_FROM_EMAIL
                recipient_list=[address],
            )
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc}", permanent=True) from exc


def sms_text(message: Message) -> str:
    """The SMS for a message: its title and where to read it, never the body.

    The body may hold details that do not belong in a text message; digit runs that look
    like identity numbers are masked even in the title.
    """
    title = _ID_LIKE.sub("***", message.title.strip())[:SMS_TITLE_CHARS]
    hint = _("详情请登录一网通办查看“我的消息”。")
    return f"{title}{hint}" if title.endswith(("。", "！", "？")) else f"{title}。{hint}"


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand one text message to the operator; raise on failure."""


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class ConsoleSmsGateway:
    """Logs text messages instead of sending them (development and demos)."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", mask_phone(phone), text)


class HttpSmsGateway:
    """POSTs ``{"phone", "text", "ts"}`` as JSON to the operator's gateway.

    ``X-Signature`` carries the lowercase hex HMAC-SHA256 of the exact body bytes under the
    shared key; ``ts`` (Unix seconds) lets the gateway refuse replays. Any answer other than
    2xx raises :class:`DeliveryFailed`; 4xx answers (except 408 and 429) are permanent.
    """

    def __init__(self, url: str, key: str, *, timeout: float = 5.0):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured("TONGBAN_SMS_GATEWAY_URL must be an http(s) URL")
        if not key:
            raise ImproperlyConfigured("TONGBAN_SMS_GATEWAY_KEY is required with a gateway URL")
        self.url, self.key, self.timeout = url, key.encode(), timeout

    def sign(self, body: bytes) -> str:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest()

    def send(self, phone: str, text: str) -> None:
        body = json.dumps(
            {"phone": phone, "text": text, "ts": int(time.time())},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "X-Signature": self.sign(body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryFailed(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            permanent = 400 <= status < 500 and status not in (408, 429)
            raise DeliveryFailed(f"SMS gateway answered HTTP {status}", permanent=permanent)


def sms_gateway() -> SmsGateway:
    """The configured gateway: HTTP when ``TONGBAN_SMS_GATEWAY_URL`` is set, else console."""
    url = setting("TONGBAN_SMS_GATEWAY_URL")
    if not url:
        return ConsoleSmsGateway()
    return HttpSmsGateway(
        url,
        setting("TONGBAN_SMS_GATEWAY_KEY"),
        timeout=float(setting("TONGBAN_SMS_GATEWAY_TIMEOUT", "5")),
    )


class SmsChannel:
    """Text messages through an :class:`SmsGateway`."""

    code = SMS

    def __init__(self, gateway: SmsGateway | None = None):
        self.gateway = gateway or sms_gateway()

    def send(self, *, address: str, message: Message) -> None:
        self.gateway.send(address, sms_text(message))


def channel_get(code: str) -> Channel:
    if code == EMAIL:
        return EmailChannel()
    if code == SMS:
        return SmsChannel()
    raise ValueError(f"unknown channel {code!r}")
