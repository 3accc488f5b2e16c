from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("tags/<slug:tag>/", views.tag_detail, name="tag_detail"),
    path("authors/<slug:author>/", views.author_detail, name="author_detail"),
    path("<slug:region>/", views.region_detail, name="region_detail"),
    path(
        "<slug:region>/<int:year>/<int:month>/<int:day>/",
        views.region_day_archive,
        name="region_day_archive",
    ),
    path("<slug:region>/<int:pk>-<slug:slug>/", views.article_detail, name="article_detail"),
]
