import pytest
from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.core.models import AuditEntry
from tongban.core.pagination import keyset_page


@pytest.fixture
def rows(db):
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(seq=i, at=now, action=f"a{i % 3}", prev_hash="0", hash="0") for i in range(1, 26)
    )


def test_pages_cover_every_row_once_in_order(rows):
    seen, cursor = [], None
    while True:
        page = keyset_page(AuditEntry.objects.all(), order=("-seq",), cursor=cursor, size=10)
        seen += [e.seq for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(range(25, 0, -1))


def test_two_field_order(rows):
    order = ("action", "-seq")
    first = keyset_page(AuditEntry.objects.all(), order=order, cursor=None, size=4)
    second = keyset_page(AuditEntry.objects.all(), order=order, cursor=first.next_cursor, size=4)
    everything = list(AuditEntry.objects.order_by(*order).values_list("seq", flat=True))
    assert [e.seq for e in first.items + second.items] == everything[:8]


def test_page_size_is_bounded(rows):
    assert (
        len(keyset_page(AuditEntry.objects.all(), order=("seq",), cursor=None, size=10**6).items)
        == 25
    )
    assert (
        len(keyset_page(AuditEntry.objects.all(), order=("seq",), cursor=None, size=0).items) == 1
    )


@pytest.mark.parametrize("cursor", ["not-base64!!", "e30=", "WzEsMl0="])
def test_bad_cursor_is_a_validation_error(rows, cursor):
    with pytest.raises(ValidationFailed, match="分页参数无效"):
        keyset_page(AuditEntry.objects.all(), order=("seq",), cursor=cursor, size=10)
