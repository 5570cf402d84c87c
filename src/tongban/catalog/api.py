from ninja import Router

router = Router(tags=["服务事项"])
