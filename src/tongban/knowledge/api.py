"""/api/v1 endpoints of knowledge."""

from ninja import Router

router = Router(tags=["知识库与智能问答"])
