from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:region>/<int:pk>-<slug:slug>/", views.article_detail, name="article_detail"),
]
