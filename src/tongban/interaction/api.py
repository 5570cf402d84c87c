"""/api/v1 endpoints of interaction."""

from ninja import Router

router = Router(tags=["政民互动"])
