"""The editorial desk: Django's admin, declarative where it can be, in Russian."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag as TaggitDefaultTag

from .dates import format_dateline
from .forms import TagAutocompleteWidget, TagsField
from .indexnow import ping_on_publish
from .models import Article, ArticleAuthor, Author, Photo, Region, RelatedLink, Tag
from .photos import PhotoFileField
from .renditions import prefetch_renditions, rendition_url
from .services import merge_tags

# taggit registers an admin for its own default Tag model, which this project does not use.
if admin.site.is_registered(TaggitDefaultTag):
    admin.site.unregister(TaggitDefaultTag)

THUMBNAIL_WIDTH = 80


def photo_thumbnail(photo: Photo | None):
    """The small rendition (sharp at 80 px on dense screens); the original until it is built."""
    if photo is None or not photo.image:
        return "—"
    thumb = rendition_url(photo, "thumb")
    src, width, height = thumb or (photo.image.url, photo.width, photo.height)
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
        src,
        photo.alt_text,
        THUMBNAIL_WIDTH,
        round(THUMBNAIL_WIDTH * height / width) if width else THUMBNAIL_WIDTH,
    )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "position", "is_active", "article_count"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "time_zone", "position", "is_active", "description"]

    def get_queryset(self, request):
        # An explicit order: with the count's GROUP BY the default ordering no longer applies.
        queryset = super().get_queryset(request)
        return queryset.annotate(article_count=Count("articles")).order_by("position", "name")

    @admin.display(description=_("материалов"), ordering="article_count")
    def article_count(self, region):
        return region.article_count


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "is_active", "user"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title"]
    autocomplete_fields = ["photo", "user"]
    fields = ["name", "slug", "job_title", "bio", "photo", "user", "is_active"]


class PhotoAdminForm(forms.ModelForm):
    image = PhotoFileField(label=_("файл"), widget=AdminFileWidget)
    source_url = forms.URLField(
        label=_("источник"), max_length=2000, required=False, assume_scheme="https"
    )

    class Meta:
        model = Photo
        fields = ["image", "alt_text", "caption", "credit", "source_url", "focal_x", "focal_y"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    form = PhotoAdminForm
    list_display = ["thumbnail", "alt_text", "credit", "dimensions", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview", "dimensions", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(prefetch_renditions("renditions", "thumb"))
        )

    @admin.display(description=_("фото"))
    def thumbnail(self, photo):
        return photo_thumbnail(photo)

    @admin.display(description=_("просмотр"))
    def preview(self, photo):
        if not photo.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width: 480px; height: auto">',
            photo.image.url,
            photo.alt_text,
        )

    @admin.display(description=_("размер, px"))
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(), label=_("оставить тег"), widget=forms.RadioSelect
    )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    fields = ["name", "slug"]
    actions = ["merge_selected"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(article_count=Count("tagged_articles")).order_by("name")

    @admin.display(description=_("материалов"), ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    @admin.action(description=_("Объединить выбранные теги"), permissions=["change"])
    def merge_selected(self, request, queryset):
        tags = list(queryset.order_by("-article_count", "name"))
        if len(tags) < 2:
            self.message_user(request, _("Выберите хотя бы два тега."), messages.WARNING)
            return None
        form = TagMergeForm(request.POST if "apply" in request.POST else None)
        form.fields["target"].queryset = queryset
        if form.is_valid():
            target = form.cleaned_data["target"]
            moved = merge_tags(target=target, sources=tags)
            self.message_user(
                request,
                ngettext(
                    "Теги объединены в «%(tag)s»: перенесён %(count)d материал.",
                    "Теги объединены в «%(tag)s»: перенесено %(count)d материалов.",
                    moved,
                )
                % {"tag": target.name, "count": moved},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Объединение тегов"),
            "opts": self.model._meta,
            "tags": tags,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/tag/merge.html", context)


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    extra = 1


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    autocomplete_fields = ["target_article"]
    fields = ["position", "kicker", "title", "target_article", "external_url"]
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "headline",
        "region",
        "status",
        "published_local",
        "author_names",
        "thumbnail",
        "is_breaking",
    ]
    list_filter = ["status", "region", "is_breaking", "published_at", "tags"]
    list_select_related = ["region", "main_photo"]
    search_fields = ["headline", "lead"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["region", "main_photo"]
    readonly_fields = [
        "status",
        "photo_preview",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]
    inlines = [BylineInline, RelatedLinkInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "lead", "body"]}),
        (
            _("Публикация"),
            {"fields": ["region", "status", "published_at", "is_breaking", "tags"]},
        ),
        (_("Фото"), {"fields": ["main_photo", "photo_preview"]}),
        (_("Для поисковиков и соцсетей"), {"fields": ["seo_title", "seo_description"]}),
        (
            _("Служебное"),
            {
                "classes": ["collapse"],
                "fields": ["created_at", "created_by", "updated_at", "updated_by"],
            },
        ),
    ]

    def get_queryset(self, request):
        # One query for the bylines and one for the thumbnails, whatever the number of rows.
        return (
            super()
            .get_queryset(request)
            .with_bylines()
            .prefetch_related(prefetch_renditions("main_photo__renditions", "thumb"))
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            return TagsField(
                label=_("теги"),
                required=False,
                widget=TagAutocompleteWidget(db_field, self.admin_site),
                help_text=_("Начните вводить: существующие теги подскажутся, новые создадутся."),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Show and read publication times on the clock of the story's own region."""
        region = (
            Region.objects.filter(articles__pk=object_id).first()
            if object_id and str(object_id).isdigit()
            else None
        )
        if region is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(region.zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "published_at" in form.base_fields:
            # Which clock the time is on: the region's for a story, the newsroom's for a new one.
            zone = obj.region.time_zone if obj else settings.TIME_ZONE
            form.base_fields["published_at"].help_text = _(
                "Время по часовому поясу %(zone)s. Время в будущем — материал выйдет сам."
            ) % {"zone": zone}
        return form

    def view_on_site(self, article):
        # Asked of published() itself, the one definition of what a reader may see.
        visible = Article.objects.published().filter(pk=article.pk).exists()
        return article.get_absolute_url() if visible else None

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if obj.status == Article.Status.PUBLISHED and obj.published_by_id is None:
            obj.published_by = request.user
        with ping_on_publish(obj):
            super().save_model(request, obj, form, change)

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
