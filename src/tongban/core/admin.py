"""Admin pages of the kernel: the working-day calendar (工作日历).

Changes made here are audited centrally (``core.handlers`` mirrors the admin's LogEntry
rows into the audit chain).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core import workdays
from tongban.core.models import CalendarDay, CalendarSource
from tongban.core.selectors import calendar_uncovered_years

WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "source"]
    list_filter = [YearFilter, "is_workday", "source"]
    search_fields = ["name"]
    fields = ["date", "is_workday", "name", "source", "updated_at"]
    readonly_fields = ["source", "updated_at"]
    ordering = ["date"]

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool
    ) -> None:
        # A row an administrator touched is theirs: seeding never overwrites it again.
        obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            self._warn_uncovered(request)
        return super().changelist_view(request, extra_context)

    def _warn_uncovered(self, request: HttpRequest) -> None:
        uncovered = calendar_uncovered_years()
        if not uncovered:
            return
        known = workdays.package_years()
        seedable = [year for year in uncovered if year in known]
        message = _(
            "%(years)s 年的工作日历尚未录入，期限暂按周一至周五计算（不含法定节假日和调休）。"
            "请按国务院办公厅公布的放假安排录入节假日和调休上班日。"
        ) % {"years": "、".join(str(year) for year in uncovered)}
        if seedable:
            message += _("%(years)s 年可运行命令 tongban calendar seed %(args)s 导入。") % {
                "years": "、".join(str(year) for year in seedable),
                "args": " ".join(str(year) for year in seedable),
            }
        messages.warning(request, message)
