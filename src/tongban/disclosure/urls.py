"""Public disclosure pages (政府信息公开), mounted at /disclosure/."""

from django.urls import path

from tongban.disclosure import feeds, views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.publication_search, name="search"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/mine/", views.request_mine, name="request_mine"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("requests/<int:request_id>/supply/", views.request_supply, name="request_supply"),
    path("requests/<int:request_id>/reply-file/", views.request_reply_file, name="reply_file"),
    path("<str:division>/", views.publication_list, name="list"),
    path("<str:division>/feed.rss", feeds.PublicationsRss(), name="feed_rss"),
    path("<str:division>/feed.atom", feeds.PublicationsAtom(), name="feed_atom"),
    path("<str:division>/<int:publication_id>/", views.publication_detail, name="detail"),
]
