"""/api/v1 endpoints of participation."""

from ninja import Router

router = Router(tags=["征求意见与民意调查"])
