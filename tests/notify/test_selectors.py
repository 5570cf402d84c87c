from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.notify.models import Notification
from tongban.notify.selectors import UNREAD_CAP, notifications_for, unread_count

pytestmark = pytest.mark.django_db


def make(user, n, *, read=False):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            topic="test.note",
            title=f"消息 {i}",
            created_at=now - timedelta(minutes=i // 2),  # ties on created_at
            read_at=now if read else None,
        )
        for i in range(n)
    )


def test_keyset_pages_cover_every_row_once_newest_first(zhangsan, lisi):
    make(zhangsan, 25)
    make(lisi, 3)
    seen, cursor = [], None
    while True:
        page = notifications_for(user=zhangsan, cursor=cursor, size=7)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 25 and len({n.pk for n in seen}) == 25
    assert all(n.recipient_id == zhangsan.pk for n in seen)
    keys = [(n.created_at, n.pk) for n in seen]
    assert keys == sorted(keys, reverse=True)


def test_unread_only_and_the_capped_count(zhangsan):
    make(zhangsan, 2, read=True)
    make(zhangsan, 3)
    assert unread_count(zhangsan) == 3
    page = notifications_for(user=zhangsan, unread_only=True)
    assert len(page.items) == 3 and all(n.read_at is None for n in page.items)
    make(zhangsan, UNREAD_CAP + 5)
    assert unread_count(zhangsan) == UNREAD_CAP


def test_a_bad_cursor_is_a_validation_error(zhangsan):
    with pytest.raises(ValidationFailed):
        notifications_for(user=zhangsan, cursor="not-a-cursor")


def test_listing_is_one_query(zhangsan, django_assert_num_queries):
    make(zhangsan, 30)
    with django_assert_num_queries(1):
        notifications_for(user=zhangsan, size=20)
