"""URLs of participation."""

app_name = "participation"
urlpatterns: list = []
