from django.urls import path

from tongban.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("d/<str:code>/", views.division_home, name="division"),
    path("d/<str:code>/news/<int:article_id>/", views.article_detail, name="article"),
    path("interact/", views.interact, name="interact"),
    path("me/", views.me, name="me"),
    path("prefs/elderly/", views.elderly_mode, name="elderly"),
]
