"""The site's URL map: the admin desk, then the public pages of the `articles` app."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom — редакция"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Редакционный пульт"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
