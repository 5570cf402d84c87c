"""RSS 2.0 and Atom feeds of a division's actively disclosed publications."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from tongban.disclosure import selectors
from tongban.disclosure.models import Kind, Publication
from tongban.disclosure.selectors import PublicationFilter
from tongban.org.selectors import division_get

FEED_SIZE = 30
FeedObject = tuple[Any, str]  # (division, kind or "")


class PublicationsRss(Feed):
    """The newest 主动公开 publications of a division, optionally of one kind (?kind=)."""

    def get_object(self, request: HttpRequest, division: str) -> FeedObject:
        kind = request.GET.get("kind", "")
        return division_get(division), kind if kind in Kind.values else ""

    def title(self, obj: FeedObject) -> str:
        division, kind = obj
        label = Kind(kind).label if kind else _("政府信息公开")
        return f"{division.name} · {label}"

    def link(self, obj: FeedObject) -> str:
        return reverse("disclosure:list", args=[obj[0].code])

    def description(self, obj: FeedObject) -> str:
        return _("%(division)s主动公开的政府信息") % {"division": obj[0].name}

    def items(self, obj: FeedObject) -> list[Publication]:
        f = PublicationFilter(division=obj[0].code, kind=obj[1])
        return selectors.publication_list(f, size=FEED_SIZE).items

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        return item.summary or item.body[:200]

    def item_link(self, item: Publication) -> str:
        return reverse("disclosure:detail", args=[item.division_id, item.pk])

    def item_guid(self, item: Publication) -> str:
        return item.index_number

    item_guid_is_permalink = False

    def item_pubdate(self, item: Publication) -> datetime:
        day = item.published_on or item.written_on
        return timezone.make_aware(datetime.combine(day, time(9)))

    def item_categories(self, item: Publication) -> list[Any]:
        return [item.get_kind_display(), item.category.name]


class PublicationsAtom(PublicationsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: FeedObject) -> str:
        return self.description(obj)
