from ninja import Router

router = Router(tags=["流程引擎"])
