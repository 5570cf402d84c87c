from ninja import Router

router = Router(tags=["协同办公"])
