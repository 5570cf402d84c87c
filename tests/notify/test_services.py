import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.notify.conftest import GATEWAY_KEY
from tongban.accounts.models import User
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models import HandlerReceipt, OutboxEvent
from tongban.core.services import outbox_deliver
from tongban.notify.events import NotificationQueued
from tongban.notify.models import Delivery, DeliveryStatus, Notification
from tongban.notify.services import (
    notification_mark_read,
    notification_send,
    notifications_mark_all_read,
)

pytestmark = pytest.mark.django_db


def send(user: User, **kwargs) -> Notification:
    values = {
        "user_id": user.pk,
        "topic": "cases.accepted",
        "title": "您的办件已受理",
        "body": "办件编号 420100-2026-000123 已由市场监督管理局受理。",
        "link": "/me/",
    }
    values.update(kwargs)
    return notification_send(**values)


def statuses(notification: Notification) -> dict[str, str]:
    return dict(Delivery.objects.filter(notification=notification).values_list("channel", "status"))


def queued_event(notification: Notification) -> OutboxEvent:
    return OutboxEvent.objects.get(
        topic=NotificationQueued.topic, payload__notification_id=notification.pk
    )


def test_send_creates_the_inbox_row_one_delivery_per_channel_and_an_event(zhangsan):
    notification = send(zhangsan)
    assert notification.recipient_id == zhangsan.pk and notification.read_at is None
    assert statuses(notification) == {"email": "pending", "sms": "pending"}
    assert queued_event(notification).payload == {"notification_id": notification.pk}


def test_channels_without_an_address_are_skipped(demo, lisi):
    enterprise = User.objects.get(username="hbcanyin")  # no email, no citizen phone
    assert statuses(send(enterprise)) == {"email": "skipped", "sms": "skipped"}
    assert statuses(send(lisi)) == {"email": "skipped", "sms": "pending"}  # phone, no email
    in_app_only = send(lisi, channels=())
    assert statuses(in_app_only) == {}
    assert Notification.objects.filter(recipient=enterprise).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"topic": "Cases Accepted"}, "topic"),
        ({"title": "  "}, "title"),
        ({"link": "https://evil.example/"}, "link"),
        ({"link": "//evil.example/"}, "link"),
        ({"channels": ("email", "wechat")}, "channels"),
    ],
)
def test_invalid_input_is_refused_and_writes_nothing(zhangsan, kwargs, field):
    with pytest.raises(ValidationFailed) as refused:
        send(zhangsan, **kwargs)
    assert refused.value.field == field
    assert not Notification.objects.exists()


def test_unknown_recipient_is_not_found(demo):
    with pytest.raises(NotFound):
        notification_send(user_id=987654, topic="x.y", title="标题", body="")


def test_email_is_sent_through_the_configured_backend(zhangsan, settings, caplog):
    settings.TONGBAN_SMS_GATEWAY_URL = ""  # SMS goes to the console gateway
    settings.TONGBAN_PUBLIC_URL = "https://zwfw.example.gov.cn"
    settings.DEFAULT_FROM_EMAIL = "noreply@zwfw.example.gov.cn"
    notification = send(zhangsan)
    outbox_deliver()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "您的办件已受理" and email.to == ["zhangsan@example.cn"]
    assert email.from_email == "noreply@zwfw.example.gov.cn"
    assert "420100-2026-000123" in email.body
    assert "https://zwfw.example.gov.cn/me/" in email.body
    assert statuses(notification) == {"email": "sent", "sms": "sent"}
    # The console gateway logs a masked phone number only.
    assert "138****1234" in caplog.text and "13800001234" not in caplog.text
    delivery = Delivery.objects.get(notification=notification, channel="email")
    assert delivery.attempts == 1 and delivery.sent_at is not None
    assert queued_event(notification).delivered_at is not None


def test_sms_gateway_receives_signed_json_without_identity_numbers(zhangsan, sms_gateway):
    before = int(time.time())
    send(zhangsan, title="身份证 420102199003071232 的办件已办结", channels=("sms",))
    outbox_deliver()
    assert len(sms_gateway.requests) == 1
    request = sms_gateway.requests[0]
    body = request["json"]
    assert set(body) == {"phone", "text", "ts"}
    assert body["phone"] == "13800001234"
    assert "办件已办结" in body["text"] and "420102199003071232" not in body["text"]
    assert "办件编号" not in body["text"]  # the body stays out of the SMS
    assert before <= body["ts"] <= int(time.time())
    assert request["content_type"] == "application/json"
    expected = hmac.new(GATEWAY_KEY.encode(), request["raw"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["signature"], expected)
    forged = json.dumps({**body, "phone": "13900000000"}).encode()
    assert request["signature"] != hmac.new(GATEWAY_KEY.encode(), forged, "sha256").hexdigest()


def test_gateway_outage_is_retried_with_back_off_and_nothing_is_sent_twice(zhangsan, sms_gateway):
    outbox_deliver()  # whatever the demo queued
    sms_gateway.status = 500
    notification = send(zhangsan)
    outbox_deliver()
    event = queued_event(notification)
    assert event.delivered_at is None and "HTTP 500" in event.last_error
    assert event.next_attempt_at > timezone.now()
    assert len(mail.outbox) == 1  # the email went out
    assert statuses(notification) == {"email": "sent", "sms": "pending"}
    assert len(sms_gateway.requests) == 1

    outbox_deliver()  # still backing off: the gateway is not called again
    assert len(sms_gateway.requests) == 1

    sms_gateway.status = 200
    OutboxEvent.objects.filter(pk=event.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    outbox_deliver()
    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 2
    assert [r["answered"] for r in sms_gateway.requests] == [500, 200]
    assert len(mail.outbox) == 1  # not re-sent
    assert statuses(notification) == {"email": "sent", "sms": "sent"}
    assert HandlerReceipt.objects.filter(event=event).count() == 2

    outbox_deliver()  # delivered events are not delivered again
    assert len(sms_gateway.requests) == 2 and len(mail.outbox) == 1


def test_a_refused_number_fails_permanently_without_retries(zhangsan, sms_gateway):
    sms_gateway.status = 400
    notification = send(zhangsan, channels=("sms",))
    outbox_deliver()
    delivery = Delivery.objects.get(notification=notification)
    assert delivery.status == DeliveryStatus.FAILED and "HTTP 400" in delivery.last_error
    assert delivery.attempts == 1
    assert queued_event(notification).delivered_at is not None


def test_an_address_removed_before_sending_skips_the_delivery(zhangsan):
    notification = send(zhangsan, channels=("email",))
    User.objects.filter(pk=zhangsan.pk).update(email="")
    outbox_deliver()
    assert statuses(notification) == {"email": "skipped"}
    assert mail.outbox == []


def test_mark_read_only_for_the_recipient(zhangsan, lisi):
    mine = send(zhangsan, channels=())
    with pytest.raises(NotFound):
        notification_mark_read(user=lisi, notification_id=mine.pk)
    first = notification_mark_read(user=zhangsan, notification_id=mine.pk)
    assert first.read_at is not None
    again = notification_mark_read(user=zhangsan, notification_id=mine.pk)
    assert again.read_at == first.read_at  # idempotent


def test_mark_all_read_touches_only_the_users_unread(zhangsan, lisi):
    for _ in range(3):
        send(zhangsan, channels=())
    theirs = send(lisi, channels=())
    assert notifications_mark_all_read(user=zhangsan) == 3
    assert notifications_mark_all_read(user=zhangsan) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
