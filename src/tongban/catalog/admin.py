"""Admin for data stewards (数据管理员): items, implementations, materials, life events.

Every form runs the same validation as the services, and every save rebuilds the search
index through the services. Data stewards see the implementations of their own division and
the divisions below it; system administrators see everything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.accounts.selectors import staff_has_role, staff_roles
from tongban.catalog import services
from tongban.catalog.models import (
    ItemImplementation,
    LifeEventBundle,
    Material,
    ServiceItem,
)
from tongban.core.errors import ValidationFailed
from tongban.org.selectors import Role

EDITOR_ROLES = frozenset({Role.DATA_STEWARD, Role.SYSADMIN})


def _refuse(form: forms.ModelForm, exc: ValidationFailed) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _is_editor(request: HttpRequest) -> bool:
    user: Any = request.user
    if not user.is_active or not user.is_staff:
        return False
    return bool(user.is_superuser or staff_has_role(user, roles=EDITOR_ROLES))


def _scope_paths(request: HttpRequest) -> list[str] | None:
    """Division paths a data steward maintains; None = everything (administrators)."""
    user: Any = request.user
    if user.is_superuser or staff_has_role(user, role=Role.SYSADMIN):
        return None
    return [g.department.division.path for g in staff_roles(user) if g.role == Role.DATA_STEWARD]


class StewardAdmin(admin.ModelAdmin):
    """Open to data stewards and administrators, whatever their Django permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_editor(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)


class StewardInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)


def _within(queryset: QuerySet[Any], request: HttpRequest, prefix: str) -> QuerySet[Any]:
    paths = _scope_paths(request)
    if paths is None:
        return queryset
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{prefix}__path": path}) | Q(
            **{f"{prefix}__path__startswith": path + "/"}
        )
    return queryset.filter(condition)


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "item_type",
            "audience",
            "legal_basis",
            "statutory_limit",
            "promised_limit",
            "handling_type",
            "max_visits",
            "fee_free",
            "fees",
            "channels",
            "life_events",
            "keywords",
            "description",
            "conditions",
            "faq",
            "result_name",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = (
            "code",
            "name",
            "item_type",
            "audience",
            "handling_type",
            "statutory_limit",
            "promised_limit",
            "max_visits",
            "fee_free",
        )
        if all(data.get(key) is not None for key in needed):
            try:
                services.item_validate(dict(data))
            except ValidationFailed as exc:
                _refuse(self, exc)
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(StewardAdmin):
    form = ServiceItemForm
    list_display = ["code", "name", "item_type", "audience", "handling_type", "promised_limit"]
    list_filter = ["item_type", "audience", "handling_type"]
    search_fields = ["code", "name", "keywords"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.item_reindex(obj)


class ImplementationForm(forms.ModelForm):
    class Meta:
        model = ItemImplementation
        fields = [
            "item",
            "division",
            "department",
            "statutory_limit",
            "promised_limit",
            "fees",
            "window_address",
            "phone",
            "guide",
            "process_key",
            "form_schema",
        ]

    def clean_form_schema(self) -> Any:
        schema = self.cleaned_data.get("form_schema")
        try:
            return services.form_schema_check(schema if schema is not None else {})
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        statutory, promised = data.get("statutory_limit"), data.get("promised_limit")
        if statutory is not None and promised is not None and promised > statutory:
            self.add_error("promised_limit", "承诺办结时限不能超过法定办结时限")
        department, division = data.get("department"), data.get("division")
        if (
            department is not None
            and division is not None
            and department.division_id != division.code
        ):
            self.add_error("department", "实施部门须属于所选行政区划")
        return data


class MaterialInline(StewardInline):
    model = Material
    extra = 0
    fields = ["position", "name", "required", "source", "resource_code", "blank_form", "notes"]


@admin.register(ItemImplementation)
class ImplementationAdmin(StewardAdmin):
    form = ImplementationForm
    inlines = [MaterialInline]
    list_display = ["item", "division", "department", "promised_limit", "process_key"]
    list_filter = [("division", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["item__name", "item__code", "process_key"]
    list_select_related = ["item", "division", "department"]
    raw_id_fields = ["item"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _within(super().get_queryset(request), request, "division")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("division", "department") and field is not None:
            prefix = "path" if db_field.name == "division" else "division__path"
            paths = _scope_paths(request)
            if paths is not None:
                from django.db.models import Q

                condition = Q(pk__in=[])
                for path in paths:
                    condition |= Q(**{prefix: path}) | Q(**{f"{prefix}__startswith": path + "/"})
                field.queryset = field.queryset.filter(condition)  # type: ignore[union-attr]
        return field

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.implementation_reindex_by_id(form.instance.pk)


class BundleForm(forms.ModelForm):
    class Meta:
        model = LifeEventBundle
        fields = [
            "slug",
            "name",
            "division",
            "description",
            "implementations",
            "lead_department",
            "process_key",
            "form_schema",
        ]

    def clean_form_schema(self) -> Any:
        schema = self.cleaned_data.get("form_schema")
        try:
            return services.form_schema_check(schema if schema is not None else {})
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(LifeEventBundle)
class BundleAdmin(StewardAdmin):
    form = BundleForm
    list_display = ["name", "slug", "division", "process_key"]
    filter_horizontal = ["implementations"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _within(super().get_queryset(request), request, "division")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.bundle_reindex_by_id(form.instance.pk)
