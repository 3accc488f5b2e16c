from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("tags/<slug:tag>/", views.tag_detail, name="tag_detail"),
    path("authors/<slug:author>/", views.author_detail, name="author_detail"),
    path("search/", views.search, name="search"),
    # Before the region patterns; `preview` is also a reserved region slug (articles/slugs.py).
    path("preview/<str:token>/", views.article_preview, name="article_preview"),
    path("feeds/rss/", feeds.LatestStoriesFeed.as_view(), name="site_feed"),
    path("feeds/yandex/", feeds.FullTextFeed.as_view(), name="site_full_text_feed"),
    path("tags/<slug:tag>/feed/", feeds.TagFeed.as_view(), name="tag_feed"),
    path("authors/<slug:author>/feed/", feeds.AuthorFeed.as_view(), name="author_feed"),
    path("<slug:region>/feed/", feeds.RegionFeed.as_view(), name="region_feed"),
    path(
        "<slug:region>/feed/yandex/",
        feeds.RegionFullTextFeed.as_view(),
        name="region_full_text_feed",
    ),
    path("<slug:region>/", views.region_detail, name="region_detail"),
    path(
        "<slug:region>/<int:year>/<int:month>/<int:day>/",
        views.region_day_archive,
        name="region_day_archive",
    ),
    path("<slug:region>/<int:pk>-<slug:slug>/", views.article_detail, name="article_detail"),
]
