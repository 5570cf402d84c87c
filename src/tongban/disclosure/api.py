"""/api/v1 endpoints of disclosure."""

from ninja import Router

router = Router(tags=["政务公开"])
