"""URLs of disclosure."""

app_name = "disclosure"
urlpatterns: list = []
