"""URLs of interaction."""

app_name = "workbench_interaction"
urlpatterns: list = []
