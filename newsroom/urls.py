"""The site's URL map: the admin desk, sitemaps, robots.txt, then the public pages of `articles`."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.generic import RedirectView, TemplateView

from articles import indexnow, sitemaps

admin.site.site_header = "Newsroom — редакция"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Редакционный пульт"


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says; send them to the site's icon."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static_url("img/favicon.svg")


# A request refused before any view (too big, too many fields) gets a page in Russian.
handler400 = "newsroom.errors.bad_request"
# The not-found page names what a cache may keep it by (articles/caching/dependencies.py).
handler404 = "articles.views.not_found"
# A database that does not answer is a 503 with Retry-After, any other failure the 500 page.
handler500 = "newsroom.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", FaviconView.as_view()),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots_txt",
    ),
    path("", include("articles.urls")),
    # Last, so no named file of the site root (robots.txt, …) is ever taken for an IndexNow key.
    re_path(r"^(?P<key>[A-Za-z0-9-]{8,128})\.txt$", indexnow.key_file, name="indexnow_key"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
