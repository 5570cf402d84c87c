"""The office app's HTTP API: one router per concept, mounted under /api/v1."""

from ninja import Router

from tongban.office.api import collab, documents, internal, workitems

router = Router()
router.add_router("", documents.router)
router.add_router("", workitems.router)
router.add_router("", collab.router)
router.add_router("", internal.router)
