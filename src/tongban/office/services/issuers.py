"""Issuing departments (发文机关): the mark, number prefix and seal text a department
issues official documents under. Configuration, edited by administrators."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.errors import ValidationFailed
from tongban.core.services import audit_record
from tongban.office.models import IssuerProfile
from tongban.org.selectors import department_get

FIELD_LIMITS = {"mark": 60, "number_prefix": 20, "receipt_prefix": 20, "seal_text": 40}


@transaction.atomic
def issuer_profile_upsert(
    *,
    department_id: int,
    mark: str,
    number_prefix: str,
    receipt_prefix: str,
    seal_text: str,
    actor: Any = None,
) -> IssuerProfile:
    """Create or change how a department issues documents; unchanged values write nothing."""
    values = {
        "mark": mark.strip(),
        "number_prefix": number_prefix.strip(),
        "receipt_prefix": receipt_prefix.strip(),
        "seal_text": seal_text.strip(),
    }
    for field, value in values.items():
        if not value:
            raise ValidationFailed(_("请填写此项"), field=field)
        if len(value) > FIELD_LIMITS[field]:
            raise ValidationFailed(_("不能超过%(n)d个字") % {"n": FIELD_LIMITS[field]}, field=field)
    department = department_get(department_id)
    profile = IssuerProfile.objects.filter(department=department).first()
    if profile is not None and all(getattr(profile, k) == v for k, v in values.items()):
        return profile
    created = profile is None
    profile = profile or IssuerProfile(department=department)
    for field, value in values.items():
        setattr(profile, field, value)
    profile.save()
    audit_record(
        action="office.issuer_profile_created" if created else "office.issuer_profile_updated",
        actor=actor,
        object_type="office.issuer_profile",
        object_id=profile.pk,
        detail=values,
    )
    return profile
