"""The story desk: the list, the form with its workflow buttons, bulk actions and the queue."""

import functools

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..dates import format_dateline
from ..forms import BODY_MAX_CHARS, ArticleDeskForm, TagAutocompleteWidget, TagsField
from ..metadata import absolute_url
from ..models import (
    Article,
    ArticleAuthor,
    Author,
    Region,
    RelatedLink,
    published_q,
)
from ..publishing import (
    concurrency,
    corrections,
    permissions,
    presence,
    previews,
    revisions,
    workflow,
)
from ..renditions import prefetch_renditions
from . import links
from .grammar import RussianAdminMixin
from .inputs import NamedInputsMixin
from .library import photo_thumbnail
from .revisions import StoryRevisionsMixin
from .rows import RowsInline
from .security import ScriptNonceMixin


class ArticlePartInline(RowsInline):
    """A part of the story form (byline, teasers): whoever may change the story may change it.

    Rows in the order the editor drags them to; the hidden position follows that order."""

    ordering_field = "position"

    def _article_admin(self) -> "ArticleAdmin":
        return self.admin_site.get_model_admin(Article)

    def has_view_permission(self, request, obj=None):
        return self._article_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._article_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._article_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._article_admin().has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        # The choices below keep what the story already has, so old rows stay valid.
        request.desk_story = obj
        return super().get_formset(request, obj, **kwargs)


class BylineInline(ArticlePartInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 2

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # An author who has left the newsroom gets no new bylines; old ones stay.
            story = getattr(request, "desk_story", None)
            kept = Q(bylines__article=story) if story is not None else Q(pk__in=[])
            kwargs["queryset"] = Author.objects.filter(Q(is_active=True) | kept).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RelatedLinkInline(ArticlePartInline):
    model = RelatedLink
    fk_name = "article"
    autocomplete_fields = ["target_article"]
    fields = ["kicker", "title", "target_article", "external_url", "position"]
    pick_only_fields = ("target_article",)
    extra = 3

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target_article":
            story = getattr(request, "desk_story", None)
            kept = Q(teaser_references__article=story) if story is not None else Q(pk__in=[])
            targets = Q(permissions.visible_teaser_targets(request.user)) | kept
            kwargs["queryset"] = Article.objects.filter(targets).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def teaser_targets(user):
    """Stories a teaser of this user may point to; the autocomplete offers the same."""
    return Article.objects.filter(permissions.visible_teaser_targets(user))


def draft_context(user, obj: Article | None) -> dict:
    """What the form's draft keeper (static/articles/admin/draft-recovery.js) needs to know:
    its storage key (this user, this story) and which save of the story the form shows."""
    saved_by = obj.updated_by if obj is not None else None
    return {
        "key": f"newsroom-draft:{user.pk}:{obj.pk if obj is not None else 'new'}",
        "version": obj.updated_at.isoformat() if obj is not None else "",
        "savedBy": (saved_by.get_full_name() or saved_by.get_username()) if saved_by else "",
        "savedAt": format_dateline(obj.updated_at, obj.region.time_zone) if obj else "",
    }


def form_region(request, obj: Article | None) -> Region | None:
    """The region whose clock the story form reads and shows times on: the one chosen in it.

    A POST's region (when the user may write there), else the story's region, else the user's
    only region; None means the newsroom's own clock.
    """
    writable = permissions.writable_regions(request.user)
    posted = request.POST.get("region", "") if request.method == "POST" else ""
    if posted.isascii() and posted.isdigit() and len(posted) < 19:
        region = writable.filter(pk=int(posted)).first()
        if region is not None:
            return region
    if obj is not None:
        return obj.region
    only = list(writable[:2])
    return only[0] if len(only) == 1 else None


class DeskRegionFilter(admin.RelatedFieldListFilter):
    """The region filter lists the regions the user works in, not the whole network."""

    def field_choices(self, field, request, model_admin):
        return list(permissions.writable_regions(request.user).values_list("pk", "name"))


class ReleaseStateFilter(admin.SimpleListFilter):
    """Where a story stands as the desk says it: scheduled and taken down by time included."""

    title = _("состояние")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("черновик")),
            ("review", _("на проверке")),
            ("scheduled", _("запланирован")),
            ("live", _("на сайте")),
            ("down", _("снят (вручную или по времени)")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        unpublished_by_time = Q(status=Article.Status.PUBLISHED, unpublish_at__lte=now)
        states = {
            "draft": Q(status=Article.Status.DRAFT),
            "review": Q(status=Article.Status.REVIEW),
            "scheduled": Q(status=Article.Status.PUBLISHED, published_at__gt=now),
            "live": Q(published_q()),
            "down": Q(status=Article.Status.UNPUBLISHED) | unpublished_by_time,
        }
        return queryset.filter(states[self.value()]) if self.value() in states else queryset


class DeskActionForm(ActionForm):
    """The list's action bar, with when the list was shown: bulk steps skip later changes."""

    # No label: the action bar prints one beside every field it has, hidden ones included.
    seen_at = forms.CharField(
        label="", required=False, widget=forms.HiddenInput, initial=concurrency.list_seen_token
    )


@admin.register(Article)
class ArticleAdmin(
    ScriptNonceMixin, StoryRevisionsMixin, NamedInputsMixin, RussianAdminMixin, admin.ModelAdmin
):
    form = ArticleDeskForm
    action_form = DeskActionForm
    list_display = [
        "headline",
        "region",
        "status_column",
        "published_local",
        "author_names",
        "thumbnail",
        "is_breaking",
    ]
    list_filter = [
        ReleaseStateFilter,
        ("region", DeskRegionFilter),
        "is_breaking",
        "published_at",
        "tags",
    ]
    list_select_related = ["region", "main_photo"]
    search_fields = ["headline", "lead"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["region", "main_photo"]
    inlines = [BylineInline, RelatedLinkInline]
    actions = ["submit_selected", "publish_selected", "unpublish_selected", "delete_allowed"]

    # Fieldsets --------------------------------------------------------------------------------

    @staticmethod
    def _may_publish(request, obj: Article | None) -> bool:
        """Whether the form offers publication times: the story's editors, or a new story's."""
        if obj is None:
            return permissions.publishable_regions(request.user).exists()
        return permissions.can_publish_in(request.user, obj.region_id)

    def get_fieldsets(self, request, obj=None):
        user = request.user
        publication = ["region", "status_label", "published_at", "embargo_until"]
        if self._may_publish(request, obj):
            publication.append("unpublish_at")
        publication += ["is_breaking", "tags"]
        if obj is not None and permissions.can_preview(user, obj):
            publication.append("preview_link")
        guard = ["edit_token"] if obj is not None else ["form_key"]
        fieldsets = [
            (None, {"fields": ["headline", "slug", "lead", "body", *guard]}),
            (_("Публикация"), {"fields": publication}),
            (_("Фото"), {"fields": ["main_photo", "photo_preview"]}),
            (_("Для поисковиков и соцсетей"), {"fields": ["seo_title", "seo_description"]}),
            (_("Выпуск"), {"fields": ["overwrite", "transition_comment", "status_history"]}),
        ]
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            corrections = ["corrections_list"]
            if permissions.can_correct(user, obj):
                corrections.insert(0, "correction_text")
            fieldsets.insert(2, (_("Исправления"), {"fields": corrections}))
        fieldsets.append(
            (
                _("Служебное"),
                {
                    "classes": ["collapse"],
                    "fields": ["created_at", "created_by", "updated_at", "updated_by"],
                },
            )
        )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "status_label",
            "preview_link",
            "photo_preview",
            "status_history",
            "corrections_list",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        if not self._may_publish(request, obj):
            readonly += ["published_at", "unpublish_at"]
        return readonly

    # Who sees and changes what: every answer comes from the permissions module ---------------

    def get_queryset(self, request):
        # One query for the bylines and one for the thumbnails, whatever the number of rows.
        return (
            permissions.desk_articles(request.user)
            .select_related("region", "main_photo")
            .with_bylines()
            .prefetch_related(prefetch_renditions("main_photo__renditions", "thumb"))
        )

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request)
            and permissions.writable_regions(request.user).exists()
        )

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or permissions.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_delete(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = permissions.writable_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            return TagsField(
                label=capfirst(db_field.verbose_name),
                required=False,
                widget=TagAutocompleteWidget(db_field, self.admin_site),
                help_text=_("Начните вводить: существующие теги подскажутся, новые создадутся."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # The teaser box looks for stories to link to: published ones of every region too,
        # never another region's drafts.
        if request.GET.get("field_name") == "target_article" and "autocomplete" in request.path:
            queryset = teaser_targets(request.user)
        return super().get_search_results(request, queryset, search_term)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Django's bulk delete checks the permission once, not per story; ours asks per story.
        actions.pop("delete_selected", None)
        return actions

    # The form ---------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.desk_user = request.user
        zone = getattr(request, "desk_zone", settings.TIME_ZONE)
        for name in ("published_at", "embargo_until", "unpublish_at"):
            if name in form.base_fields:
                field = form.base_fields[name]
                field.help_text = format_html(
                    '{} <span class="region-clock">{}</span>.',
                    field.help_text + " " + _("Время по часовому поясу"),
                    zone,
                )
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        region = form_region(request, None)
        if region is not None:
            initial.setdefault("region", region.pk)
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The story form, on the clock of its region, with the steps this user may take."""
        obj = None
        if object_id is not None:
            obj = self._desk_object_or_404(request, object_id)
        region = form_region(request, obj)
        zone = region.zone if region is not None else timezone.get_default_timezone()
        request.desk_zone = str(zone)
        steps = workflow.allowed_transitions(request.user, obj or self._new_story(request, region))
        context = {
            "transitions": steps,
            "region_zones": {
                str(pk): name
                for pk, name in permissions.writable_regions(request.user).values_list(
                    "pk", "time_zone"
                )
            },
            "desk_limits": {"body_max_chars": BODY_MAX_CHARS},
            "draft_context": draft_context(request.user, obj),
            "present_others": presence.touch(obj.pk, request.user) if obj else [],
            "presence_seconds": presence.HEARTBEAT_SECONDS,
            **(extra_context or {}),
        }
        try:
            with timezone.override(zone), revisions.revision(request.user, _("Сохранено")):
                response = super().changeform_view(request, object_id, form_url, context)
                if hasattr(response, "render"):
                    response.render()
        except IntegrityError:
            # Two copies of one add form racing past the form's check: the second finds the first.
            key = concurrency.parse_submission_key(request.POST.get("form_key", ""))
            saved = Article.objects.filter(submission_key=key).first() if key else None
            if saved is None:
                raise
            self.message_user(request, _("Эта форма уже сохранена: второй копии не будет."))
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[saved.pk]))
        return response

    def presence_view(self, request, object_id):
        """The heartbeat of an open story form: who else has the story open now (JSON)."""
        article = self._desk_object_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return JsonResponse({"others": presence.touch(article.pk, request.user)})

    @staticmethod
    def _new_story(request, region: Region | None) -> Article:
        """A new story as the buttons see it: in the chosen region, else where the user publishes.

        The form checks the step again against the region the editor finally picks."""
        region = (
            region
            or permissions.publishable_regions(request.user).first()
            or permissions.writable_regions(request.user).first()
        )
        return Article(status=Article.Status.DRAFT, created_by=request.user, region=region)

    def history_view(self, request, object_id, extra_context=None):
        self._desk_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._desk_object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def _desk_object_or_404(self, request, object_id) -> Article:
        """A story of another region is not there at all for this user, not even by its URL."""
        object_id = str(object_id)
        if not (object_id.isascii() and object_id.isdigit() and len(object_id) < 19):
            raise Http404
        article = self.get_queryset(request).filter(pk=int(object_id)).first()
        if article is None:
            raise Http404
        return article

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif obj.status == Article.Status.PUBLISHED and "published_at" in form.changed_data:
            # A published story's new time is the publishing service's to write.
            obj.published_at = form.initial["published_at"]
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if form.pending_correction:
            self._say(
                request,
                lambda: corrections.add_correction(
                    article=article, user=request.user, text=form.pending_correction
                ),
                _("Исправление добавлено."),
            )
        if form.pending_transition:
            name, when, comment = form.pending_transition
            self._say(
                request,
                lambda: workflow.take(
                    article=article, user=request.user, name=name, at=when, comment=comment
                ),
                None,
            )
        # The revision holds the story as this save left it: text, inlines, tags and status.
        revisions.keep(article)

    def _say(self, request, step, success) -> bool:
        try:
            change = step()
        except (workflow.TransitionError, corrections.CorrectionError) as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return False
        if success is None and change is not None:
            success = _("Статус: %(status)s.") % {"status": change.article.status_label}
        self.message_user(request, success, messages.SUCCESS)
        return True

    def view_on_site(self, article):
        # Asked of published() itself, the one definition of what a reader may see.
        visible = Article.objects.published().filter(pk=article.pk).exists()
        return article.get_absolute_url() if visible else None

    # Bulk actions: each story through the same service, each refusal reported -----------------

    def _bulk(self, request, queryset, name: str, done_message: str):
        done, refused = 0, []
        seen_at = concurrency.list_seen_at(request.POST.get("seen_at", ""))
        for article in queryset.select_related("region", "updated_by"):
            try:
                concurrency.check_seen(article, seen_at)
                workflow.take(article=article, user=request.user, name=name)
            except (workflow.TransitionError, concurrency.StaleEdit) as refusal:
                refused.append(f"«{article.headline}»: {refusal.message}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        self._report_refused(request, _("Не изменены:"), refused)

    def _report_refused(self, request, heading, refused: list[str]) -> None:
        if refused:
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    heading,
                    format_html_join("", "<li>{}</li>", ((line,) for line in refused)),
                ),
                messages.WARNING,
            )

    @admin.action(description=_("Отправить на проверку"), permissions=["change"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit", _("Отправлено на проверку: %(count)d."))

    @admin.action(description=_("Опубликовать сейчас"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish", _("Опубликовано: %(count)d."))

    @admin.action(description=_("Снять с публикации"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish", _("Снято с публикации: %(count)d."))

    @admin.action(description=_("Удалить выбранные (кроме опубликованных)"), permissions=["delete"])
    def delete_allowed(self, request, queryset):
        seen_at = concurrency.list_seen_at(request.POST.get("seen_at", ""))
        allowed, refused = [], []
        for article in queryset.select_related("region", "updated_by"):
            try:
                concurrency.check_seen(article, seen_at)
            except concurrency.StaleEdit as stale:
                refused.append(f"«{article.headline}»: {stale.message}")
                continue
            if permissions.can_delete(request.user, article):
                allowed.append(article)
            else:
                refused.append(
                    f"«{article.headline}»: {_('опубликован или у вас нет прав на удаление.')}"
                )
        self.log_deletions(request, allowed)
        deleted = (
            Article.objects.filter(pk__in=[a.pk for a in allowed])
            .delete()[1]
            .get(Article._meta.label, 0)
        )
        if deleted:
            self.message_user(request, _("Удалено: %(count)d.") % {"count": deleted})
        self._report_refused(request, _("Не удалены:"), refused)

    # The desk's queue: what waits for review, what is scheduled --------------------------------

    def get_urls(self):
        queue = path(
            "queue/",
            self.admin_site.admin_view(self.queue_view),
            name="articles_article_queue",
        )
        heartbeat = path(
            "<path:object_id>/presence/",
            self.admin_site.admin_view(self.presence_view),
            name="articles_article_presence",
        )
        link_search = path(
            "links/",
            self.admin_site.admin_view(
                functools.partial(links.story_links, may_view=self.has_view_permission)
            ),
            name="articles_article_links",
        )
        return [queue, link_search, heartbeat, *self.revision_urls(), *super().get_urls()]

    def queue_view(self, request):
        """Stories waiting for review and scheduled ones, each on its region's clock."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stories = self.get_queryset(request).select_related("created_by")
        waiting = list(stories.awaiting_review().order_by("region__position", "updated_at"))
        scheduled = list(stories.scheduled().order_by("published_at"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Очередь выпуска"),
            "opts": self.model._meta,
            "waiting": waiting,
            "scheduled": scheduled,
        }
        return TemplateResponse(request, "admin/articles/article/queue.html", context)

    # Columns and read-only parts ---------------------------------------------------------------

    @admin.display(description=_("статус"), ordering="status")
    def status_column(self, article):
        return article.status_label

    @admin.display(description=_("статус"))
    def status_label(self, article):
        return article.status_label if article.pk else Article.Status.DRAFT.label

    @admin.display(description=_("опубликовано"), ordering="published_at")
    def published_local(self, article):
        if article.published_at is None:
            return "—"
        return format_dateline(article.published_at, article.region.time_zone)

    @admin.display(description=_("авторы"))
    def author_names(self, article):
        return format_html_join(", ", "{}", ((b.author.name,) for b in article.bylines.all()))

    @admin.display(description=_("фото"))
    def thumbnail(self, article):
        return photo_thumbnail(article.main_photo)

    @admin.display(description=_("просмотр фото"))
    def photo_preview(self, article):
        return photo_thumbnail(article.main_photo)

    @admin.display(description=_("история статусов"))
    def status_history(self, article):
        if article.pk is None:
            return "—"
        rows = article.status_changes.select_related("changed_by")
        zone = article.region.time_zone
        return render_to_string(
            "admin/articles/article/includes/status_history.html",
            {"changes": rows, "zone": zone},
        )

    @admin.display(description=_("исправления"))
    def corrections_list(self, article):
        rows = article.corrections.select_related("created_by")
        return render_to_string(
            "admin/articles/article/includes/corrections.html",
            {"corrections": rows, "zone": article.region.time_zone},
        )

    @admin.display(description=_("ссылка для предпросмотра"))
    def preview_link(self, article):
        if article.pk is None or Article.objects.published().filter(pk=article.pk).exists():
            return _("Материал на сайте: смотрите «Смотреть на сайте».")
        url = absolute_url(previews.preview_path(article))
        hours = int(settings.PREVIEW_MAX_AGE.total_seconds() // 3600)
        return format_html(
            '<input type="text" id="preview-url" value="{url}" readonly size="70"> '
            '<button type="button" class="button" data-copy-from="preview-url">{copy}</button> '
            '<a href="{url}" target="_blank" rel="noopener">{open}</a>'
            '<div class="help">{help}</div>',
            url=url,
            copy=_("Скопировать"),
            open=_("Открыть"),
            help=_(
                "Ссылка покажет эту версию материала %(hours)d ч; после сохранения "
                "появится новая. Поисковики её не индексируют."
            )
            % {"hours": hours},
        )
