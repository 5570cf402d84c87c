"""Chinese search over the catalog (jieba + inverted index), filters and keyset pagination."""

import pytest

from tongban.catalog.selectors import ServiceFilter, service_search
from tongban.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def names(page):
    return [i.item.name for i in page.items]


def test_colloquial_query_finds_the_restaurant_items(demo):
    found = names(service_search(ServiceFilter(q="开饭店", division="420100"), size=10))
    assert {"营业执照设立登记", "食品经营许可（餐饮服务）"} <= set(found[:4])
    assert "公众聚集场所投入使用、营业前消防安全检查" in found
    assert "居民身份证换领" not in found


def test_licence_query_ranks_the_licence_item_first(demo):
    page = service_search(ServiceFilter(q="营业执照", division="420100"), size=5)
    assert names(page)[0] == "营业执照设立登记"
    assert page.items[0].score > page.items[-1].score


def test_food_query_finds_food_items(demo):
    found = names(service_search(ServiceFilter(q="食品", division="420900"), size=10))
    assert set(found[:2]) == {"食品经营许可（餐饮服务）", "食品生产许可"}


def test_unknown_words_find_nothing(demo):
    assert service_search(ServiceFilter(q="宇宙飞船发射"), size=10).items == []
    assert service_search(ServiceFilter(q="!!!"), size=10).items == []


def test_division_filter_includes_higher_divisions_but_not_other_cities(demo):
    page = service_search(ServiceFilter(q="营业执照", division="420102"), size=20)
    assert page.items and {i.division_id for i in page.items} == {"420100"}
    unfiltered = service_search(ServiceFilter(q="营业执照"), size=50)
    assert {"420100", "420900", "429005"} <= {i.division_id for i in unfiltered.items}


def test_department_audience_and_event_filters(demo):
    police = service_search(ServiceFilter(division="420900", department="gaj"), size=50)
    assert police.items and {i.department.code for i in police.items} == {"gaj"}
    legal = service_search(ServiceFilter(division="420100", audience="legal"), size=100)
    assert {i.item.audience for i in legal.items} <= {"legal", "both"}
    person = service_search(ServiceFilter(division="420100", audience="person"), size=100)
    assert "居民身份证换领" in names(person) and "营业执照设立登记" not in names(person)
    event = service_search(ServiceFilter(event="kaiban-canyindian"), size=20)
    assert len(event.items) == 4
    assert {i.department.code for i in event.items} == {"scjg", "xfzd", "sthjj"}
    queried = service_search(ServiceFilter(q="食品", event="kaiban-canyindian"), size=20)
    assert names(queried) == ["食品经营许可（餐饮服务）"]
    with pytest.raises(ValidationFailed):
        service_search(ServiceFilter(audience="robot"))
    with pytest.raises(NotFound):
        service_search(ServiceFilter(division="999999"))


@pytest.mark.parametrize("q", ["", "营业执照"])
def test_keyset_pagination_visits_every_result_once(demo, q):
    f = ServiceFilter(q=q)
    everything = [i.pk for i in service_search(f, size=100).items]
    seen, cursor = [], None
    while True:
        page = service_search(f, cursor=cursor, size=3)
        seen += [i.pk for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything and len(seen) == len(set(seen)) > 3


def test_bad_cursor_is_refused(demo):
    with pytest.raises(ValidationFailed):
        service_search(ServiceFilter(q="食品"), cursor="not-a-cursor")
