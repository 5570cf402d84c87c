"""The document processes' workflow hooks: each completed step of a document's route
(发文) or of a receipt (收文) is followed in the same transaction by the office app."""

from __future__ import annotations


def connect() -> None:
    """Register the document processes' workflow hooks."""
    from tongban.office.services.documents import document_step_done, receipt_step_done
    from tongban.workflow.services import business_hook_register

    business_hook_register("office.document", document_step_done)
    business_hook_register("office.receipt", receipt_step_done)
