"""URLs of knowledge."""

app_name = "knowledge"
urlpatterns: list = []
