"""Admin for data stewards (数据管理员) and administrators: resources with their data items,
adapters with their field mappings, exchange clients (secrets are write-only), and the
read-only sharing requests, message log and signed batches.

Forms run the services' validation; saves rebuild the search index and are audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.accounts.selectors import staff_has_role
from tongban.core.errors import DomainError, ValidationFailed
from tongban.exchange import selectors, services
from tongban.exchange.models import (
    Adapter,
    DataItem,
    ExchangeClient,
    FieldMapping,
    MessageBatch,
    MessageLog,
    Resource,
    SharingRequest,
)
from tongban.org.selectors import Role

EDITOR_ROLES = frozenset({Role.DATA_STEWARD, Role.SYSADMIN})


def _is_editor(request: HttpRequest) -> bool:
    user: Any = request.user
    if not user.is_active or not user.is_staff:
        return False
    return bool(user.is_superuser or staff_has_role(user, roles=EDITOR_ROLES))


def _is_admin(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or staff_has_role(user, role=Role.SYSADMIN))


def _refuse(form: forms.BaseForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class StewardAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_editor(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)


class ReadOnlyAdmin(StewardAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StewardInline(admin.TabularInline):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_editor(request)


# ----------------------------------------------------------------------------- resources


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "code",
            "name",
            "summary",
            "provider",
            "classification",
            "theme",
            "format",
            "share_type",
            "share_condition",
            "open_type",
            "update_cycle",
            "published_on",
            "adapter",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.resource_validate(
                code=data.get("code") or "",
                name=data.get("name") or "",
                format=data.get("format") or "",
                share_type=data.get("share_type") or "",
                open_type=data.get("open_type") or "",
            )
        except ValidationFailed as exc:
            _refuse(self, exc)
        return data


class DataItemInline(StewardInline):
    model = DataItem
    extra = 0
    fields = [
        "position",
        "key",
        "label",
        "data_type",
        "sensitivity",
        "mask",
        "filterable",
        "description",
    ]


@admin.register(Resource)
class ResourceAdmin(StewardAdmin):
    form = ResourceForm
    inlines = [DataItemInline]
    list_display = ["code", "name", "provider", "theme", "share_type", "adapter"]
    list_filter = ["share_type", "format", "theme"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Resource]:
        qs = super().get_queryset(request).select_related("provider__division", "adapter")
        if _is_admin(request):
            return qs
        return qs.filter(provider_id__in=selectors.steward_departments(request.user))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = getattr(field, "queryset", None)
        if db_field.name == "provider" and not _is_admin(request) and queryset is not None:
            departments = selectors.steward_departments(request.user)
            field.queryset = queryset.filter(pk__in=departments)  # type: ignore[union-attr]
        return field

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        resource = form.instance
        services.resource_reindex(resource)
        services.configuration_changed(
            actor=request.user,
            action="resource.admin_save",
            object_type="resource",
            object_id=resource.code,
        )


# ------------------------------------------------------------------------------ adapters


class AdapterForm(forms.ModelForm):
    class Meta:
        model = Adapter
        fields = ["name", "kind", "config"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind"):
            try:
                data["config"] = services.adapter_config_check(data["kind"], data.get("config"))
            except ValidationFailed as exc:
                _refuse(self, exc)
        return data


class FieldMappingForm(forms.ModelForm):
    class Meta:
        model = FieldMapping
        fields = ["item_key", "source", "transforms"]

    def clean_transforms(self) -> Any:
        try:
            return services.transforms_check(self.cleaned_data.get("transforms") or [])
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None


class FieldMappingInline(StewardInline):
    model = FieldMapping
    form = FieldMappingForm
    extra = 0


@admin.register(Adapter)
class AdapterAdmin(StewardAdmin):
    form = AdapterForm
    inlines = [FieldMappingInline]
    list_display = ["name", "kind"]
    list_filter = ["kind"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.configuration_changed(
            actor=request.user,
            action="adapter.admin_save",
            object_type="adapter",
            object_id=form.instance.pk,
        )


# ------------------------------------------------------------------------------- clients


class ExchangeClientForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="客户端密钥",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="至少16位；只保存散列值，之后无法查看。修改时留空表示不变。",
    )

    class Meta:
        model = ExchangeClient
        fields = ["client_id", "name", "department"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        secret = data.get("client_secret") or ""
        if not self.instance.pk and not secret:
            self.add_error("client_secret", "请设置客户端密钥")
        if secret and len(secret) < 16:
            self.add_error("client_secret", "客户端密钥至少16位")
        return data


@admin.register(ExchangeClient)
class ExchangeClientAdmin(StewardAdmin):
    form = ExchangeClientForm
    list_display = ["client_id", "name", "department"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["client_id"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        secret = form.cleaned_data.get("client_secret") or ""
        if secret:
            services.exchange_client_upsert(
                client_id=obj.client_id,
                client_secret=secret,
                name=obj.name,
                department_id=obj.department_id,
                actor=request.user,
            )
            obj.pk = ExchangeClient.objects.get(client_id=obj.client_id).pk
            return
        super().save_model(request, obj, form, change)
        services.configuration_changed(
            actor=request.user,
            action="exchange_client.admin_save",
            object_type="exchange_client",
            object_id=obj.client_id,
        )


# ------------------------------------------------------------------------ read-only logs


@admin.register(SharingRequest)
class SharingRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "resource", "consumer", "status", "requested_at", "expires_on"]
    list_filter = ["status"]


@admin.register(MessageLog)
class MessageLogAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "client_id", "resource_code", "status", "purpose"]
    list_filter = ["status"]
    search_fields = ["resource_code", "client_id"]


@admin.register(MessageBatch)
class MessageBatchAdmin(ReadOnlyAdmin):
    list_display = ["first_seq", "last_seq", "merkle_root", "algorithm", "key_id", "signed_at"]
