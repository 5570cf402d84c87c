"""Access to official documents (公文): a user sees a document only if their department is
on its route (issuer, countersigning department, recipient, handling department of a
receipt) and their roles' clearance (密级权限) reaches its classification. Every open is
audited ("office.document.open"); every refusal too ("office.document.denied"), and that
record survives the refusal (written outside any transaction of this module)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.services import audit_record
from tongban.office.models import Attachment, Document, Receipt
from tongban.office.selectors import documents as selectors


def clearance_of(user: Any) -> int:
    """The highest classification the user's roles may read (0 if none)."""
    return selectors.clearance_level(user)


def document_visible(user: Any, document: Document) -> bool:
    return selectors.document_visible_to(user, document)


def _deny(*, user: Any, object_type: str, object_id: int, purpose: str, reason: str) -> None:
    audit_record(
        action=f"{object_type}.denied",
        actor=user if getattr(user, "is_authenticated", False) else None,
        object_type=object_type,
        object_id=object_id,
        detail={"purpose": purpose, "reason": reason},
    )


def document_open(*, user: Any, document_id: int, purpose: str = "view") -> Document:
    """Open a document for ``purpose`` (view, pdf, html, attachment, edit, diff ...):
    404 if there is no such document, 403 (audited) if the user may not see it."""
    document = selectors.document_get(document_id)
    if document is None:
        raise NotFound(_("公文不存在"))
    if not selectors.document_visible_to(user, document):
        reason = (
            "classification"
            if document.classification > selectors.clearance_level(user)
            else "route"
        )
        _deny(
            user=user,
            object_type="office.document",
            object_id=document.pk,
            purpose=purpose,
            reason=reason,
        )
        raise PermissionDenied(
            _("您的密级权限不足，不能查阅该公文")
            if reason == "classification"
            else _("您所在部门不在该公文的办理或分送范围内，不能查阅")
        )
    audit_record(
        action="office.document.open",
        actor=user,
        object_type="office.document",
        object_id=document.pk,
        detail={"purpose": purpose},
    )
    return document


def receipt_open(*, user: Any, receipt_id: int, purpose: str = "view") -> Receipt:
    """Open a received document (收文): the user's department holds or handles it and
    their clearance reaches its classification; audited like a document open."""
    receipt = selectors.receipt_get(receipt_id)
    if receipt is None:
        raise NotFound(_("收文不存在"))
    if not selectors.receipt_visible_to(user, receipt):
        _deny(
            user=user,
            object_type="office.receipt",
            object_id=receipt.pk,
            purpose=purpose,
            reason="route",
        )
        raise PermissionDenied(_("您所在部门不是该收文的收文或承办单位，不能查阅"))
    audit_record(
        action="office.document.open",
        actor=user,
        object_type="office.document",
        object_id=receipt.document_id,
        detail={"purpose": purpose, "receipt": receipt.pk},
    )
    return receipt


def attachment_open(*, user: Any, document_id: int, attachment_id: int) -> Attachment:
    """An attachment of a document the user may open (the open is audited as the
    document's, with the purpose ``attachment``)."""
    document = document_open(user=user, document_id=document_id, purpose="attachment")
    attachment = document.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("附件不存在"))
    return attachment
