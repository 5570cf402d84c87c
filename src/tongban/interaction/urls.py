"""URLs of interaction."""

app_name = "interaction"
urlpatterns: list = []
