"""URLs of participation."""

app_name = "workbench_participation"
urlpatterns: list = []
