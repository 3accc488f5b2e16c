"""The story desk's revision pages: the list of saves, a comparison of two, a restore.

A mixin of ArticleAdmin, so every page finds the story through the admin's own queryset (another
region's story is a 404) and asks the permissions module before it shows or restores anything.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..publishing import permissions, revisions


class StoryRevisionsMixin:
    def revision_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/revisions/<str:version_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
        ]

    def _context(self, request, article, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": title,
            "may_restore": permissions.can_edit(request.user, article),
            **extra,
        }

    def revisions_view(self, request, object_id):
        """Every save of the story, newest first; two can be picked for comparison."""
        article = self._desk_object_or_404(request, object_id)
        rows = revisions.history_rows(article)
        context = self._context(
            request, article, _("Версии: %(headline)s") % {"headline": article.headline}, rows=rows
        )
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_view(self, request, object_id):
        """Two versions of the story: the text word by word, the rest field by field."""
        article = self._desk_object_or_404(request, object_id)
        old = revisions.version_of(article, request.GET.get("from", ""))
        new = revisions.version_of(article, request.GET.get("to", ""))
        if old is None or new is None:
            raise Http404(_("Таких версий у этого материала нет."))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = self._context(
            request,
            article,
            _("Сравнение версий: %(headline)s") % {"headline": article.headline},
            old=old,
            new=new,
            comparison=revisions.compare(old, new),
            zone=article.region.time_zone,
        )
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        """Confirm (GET) and restore (POST) one version: a new save, by the rules of an edit."""
        article = self._desk_object_or_404(request, object_id)
        version = revisions.version_of(article, version_id)
        if version is None:
            raise Http404(_("Такой версии у этого материала нет."))
        if not permissions.can_edit(request.user, article):
            raise PermissionDenied
        if request.method == "POST":
            try:
                revisions.restore(article=article, version=version, user=request.user)
            except revisions.RestoreError as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(
                    request, _("Версия восстановлена и сохранена как новая."), messages.SUCCESS
                )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        newest = revisions.history(article).first()
        context = self._context(
            request,
            article,
            _("Восстановить версию: %(headline)s") % {"headline": article.headline},
            version=version,
            comparison=revisions.compare(version, newest) if newest else None,
        )
        return TemplateResponse(request, "admin/articles/article/restore.html", context)
