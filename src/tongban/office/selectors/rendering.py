"""The official document (公文) as it is printed: builds the pure
:class:`~tongban.office.rendering.RenderedDocument` from the models (document, recipients,
attachments, the issuing department's profile).

The printed words are fixed Chinese (not translated): a 公文 prints the same whatever the
reader's language. A document is printed with its number and seal once it has been
sealed (用印); before that it prints as a draft (草稿).

份号 (copy number) is printed on classified documents (秘密 and above): the issuer's
filing copy is 000001, the copy sent to the k-th recipient (receipt order) is k + 1.

An upward document (上行文) names its signer (签发人) once the head has signed it on the
current route; a document returned and resubmitted after signing waits for a new
signature, so its earlier signer is not printed.
"""

from __future__ import annotations

from django.utils import timezone

from tongban.office.models import (
    Attachment,
    Classification,
    Direction,
    Document,
    DocumentRecipient,
    DocumentStatus,
    IssuerProfile,
    Receipt,
    RecipientKind,
    Urgency,
)
from tongban.office.rendering import RenderedDocument
from tongban.office.selectors.collab import user_label
from tongban.org.selectors import department_full_name

CLASSIFICATION_LABELS = {
    Classification.INTERNAL: "内部",
    Classification.SECRET: "秘密",
    Classification.CONFIDENTIAL: "机密",
}
URGENCY_LABELS = {Urgency.URGENT: "加急", Urgency.EXTRA_URGENT: "特急"}
FINGERPRINT_LENGTH = 16
# Statuses in which the recorded signer signed the document on its current route.
SIGNED = frozenset({DocumentStatus.ISSUING, DocumentStatus.DISPATCHED})


def _copy_number(document: Document, receipt: Receipt | None) -> str:
    if document.classification < Classification.SECRET:
        return ""
    if receipt is None:
        return f"{1:06d}"
    earlier = Receipt.objects.filter(document_id=document.pk, id__lt=receipt.pk).count()
    return f"{earlier + 2:06d}"


def rendered_document(document: Document, *, receipt: Receipt | None = None) -> RenderedDocument:
    """The printable form of ``document`` (as sent to ``receipt``'s department, if given)."""
    issuer = document.issuer
    issuer_name = department_full_name(issuer)
    profile = IssuerProfile.objects.filter(department_id=document.issuer_id).first()
    recipients = list(
        DocumentRecipient.objects.filter(document_id=document.pk)
        .select_related("department__division")
        .order_by("position", "id")
    )
    main = [department_full_name(r.department) for r in recipients if r.kind == RecipientKind.MAIN]
    copy = [department_full_name(r.department) for r in recipients if r.kind == RecipientKind.COPY]
    attachments = tuple(
        Attachment.objects.filter(document_id=document.pk)
        .order_by("id")
        .values_list("name", flat=True)
    )
    sealed = document.sealed_at is not None and bool(document.number)
    printed_on = None
    if sealed:
        printed_on = (
            timezone.localdate(document.dispatched_at)
            if document.dispatched_at
            else document.issued_on
        )
    upward = document.direction == Direction.UP
    signed = upward and document.signer_id is not None and document.status in SIGNED
    return RenderedDocument(
        mark=profile.mark if profile else f"{issuer_name}文件",
        title=document.title,
        body=document.body,
        issuer_name=issuer_name,
        number=document.number if sealed else "",
        copy_number=_copy_number(document, receipt),
        classification_label=CLASSIFICATION_LABELS.get(Classification(document.classification), ""),
        secrecy_period=document.secrecy_period
        if document.classification >= Classification.SECRET
        else "",
        urgency_label=URGENCY_LABELS.get(Urgency(document.urgency), ""),
        main_recipients="、".join(main),
        attachments=attachments,
        issued_on=document.issued_on if sealed else None,
        seal_text=(profile.seal_text if profile else issuer_name) if sealed else "",
        seal_fingerprint=document.content_digest[:FINGERPRINT_LENGTH] if sealed else "",
        copy_recipients="、".join(copy),
        printed_by=f"{issuer_name}办公室" if sealed else "",
        printed_on=printed_on,
        upward=upward,
        signer=user_label(document.signer) if signed else "",
    )
