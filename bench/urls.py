"""The site's URLs plus the framework's floor: a view that does nothing but answer."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench__/trivial/", trivial),
    path("", include("newsroom.urls")),
]
