"""The newsroom's library at the desk: regions, authors, photos and tags."""

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.base import ContentFile
from django.db.models import Count
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag as TaggitDefaultTag

from .. import photos, renditions
from ..models import (
    Author,
    Photo,
    Region,
    Tag,
)
from ..photos import PhotoFileField
from ..publishing import permissions
from ..renditions import PLACEHOLDER, file_present, prefetch_renditions, rendition_url
from ..services import merge_tags
from .grammar import RussianAdminMixin

# taggit registers an admin for its own default Tag model, which this project does not use.
if admin.site.is_registered(TaggitDefaultTag):
    admin.site.unregister(TaggitDefaultTag)

THUMBNAIL_WIDTH = 80
PREVIEW_WIDTH = 480


def photo_thumbnail(photo: Photo | None):
    """The small rendition (sharp at 80 px on dense screens); the original until it is built."""
    if photo is None or not photo.image:
        return "—"
    thumb = rendition_url(photo, "thumb")
    src, width, height = thumb or (photo_src(photo), photo.width, photo.height)
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
        src,
        photo.alt_text,
        THUMBNAIL_WIDTH,
        round(THUMBNAIL_WIDTH * height / width) if width else THUMBNAIL_WIDTH,
    )


def photo_src(photo: Photo) -> str:
    """The stored file's address, or the site's placeholder when the file is gone."""
    return photo.image.url if file_present(photo) else static(PLACEHOLDER)


class KeepsRevisionsMixin:
    """Every save through the desk keeps a revision of the row (articles/publishing/revisions)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(_("Сохранено"))
            return super().changeform_view(request, object_id, form_url, extra_context)


class ManagedByAdminsMixin:
    """Regions, authors and tags: every role reads them, administrators alone change them."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and permissions.can_manage_newsroom(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and permissions.can_manage_newsroom(
            request.user
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and permissions.can_manage_newsroom(
            request.user
        )


@admin.register(Region)
class RegionAdmin(KeepsRevisionsMixin, ManagedByAdminsMixin, RussianAdminMixin, admin.ModelAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        # The story form's region box offers only the regions the user may write in.
        if request.GET.get("model_name") == "article" and "autocomplete" in request.path:
            queryset = queryset.filter(pk__in=permissions.writable_regions(request.user))
        return super().get_search_results(request, queryset, search_term)


@admin.register(Author)
class AuthorAdmin(KeepsRevisionsMixin, ManagedByAdminsMixin, RussianAdminMixin, admin.ModelAdmin):
    list_display = ["name", "job_title", "is_active", "user"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title"]
    autocomplete_fields = ["photo", "user"]
    fields = ["name", "slug", "job_title", "bio", "photo", "user", "is_active"]

    def get_search_results(self, request, queryset, search_term):
        # A byline is offered only the authors still at the newsroom.
        if request.GET.get("model_name") == "articleauthor" and "autocomplete" in request.path:
            queryset = queryset.active()
        return super().get_search_results(request, queryset, search_term)


class PhotoUploadWidget(AdminFileWidget):
    """The admin's file input, with a preview of the chosen photo and the browser's size check.

    `pending_url` is the preview of an upload the form kept across a failed validation."""

    pending_url: str | None = None

    class Media:
        js = ["articles/admin/photo-upload.js"]

    def get_context(self, name, value, attrs):
        return super().get_context(name, value, (attrs or {}) | photos.size_check_attrs())

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        # The script shows a photo chosen in the browser here before it is sent.
        preview = format_html(
            '<div class="photo-upload">{}<div class="photo-upload-preview" data-preview-for="{}">',
            html,
            name,
        )
        if self.pending_url:
            preview = format_html(
                '{}<img src="{}" alt="{}"><p class="help">{}</p>',
                preview,
                self.pending_url,
                _("Выбранная фотография"),
                _("Файл уже загружен и сохранится с фотографией: выбирать его снова не нужно."),
            )
        return format_html("{}</div></div>", preview)


class PhotoAdminForm(forms.ModelForm):
    """The photo form; a photo chosen in a submission that fails on another field is kept.

    The pipeline's re-encoded file is stored under a throwaway name and the form carries a signed
    token for it (articles/photos.py), so the editor fixes the credit without choosing the file
    again; the preview shows the kept photo."""

    image = PhotoFileField(label=_("Файл"), widget=PhotoUploadWidget)
    pending_upload = forms.CharField(
        label=_("уже загруженный файл"), required=False, widget=forms.HiddenInput
    )
    source_url = forms.URLField(
        label=_("Источник"), max_length=2000, required=False, assume_scheme="https"
    )

    class Meta:
        model = Photo
        fields = ["image", "alt_text", "caption", "credit", "source_url", "focal_x", "focal_y"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _("JPEG, PNG, WebP или GIF, не больше %(limit)s.") % {
            "limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES)
        }
        self.pending = None
        if self.is_bound and not self.files.get(self.add_prefix("image")):
            self.pending = photos.pending_name(self.data.get(self.add_prefix("pending_upload")))
        if self.pending:
            self.fields["image"].required = False
            self._show_pending(self.data[self.add_prefix("pending_upload")])
        # Asked of the storage itself, not the pages' cache: the desk must know the truth, and
        # tells the pages what it learned.
        image = self.instance.image
        self.file_missing = bool(image) and not image.storage.exists(image.name)
        if image and self.instance.pk:
            renditions.remember_file_present(self.instance, present=not self.file_missing)
        if self.file_missing:
            self.fields["image"].help_text = format_html(
                "<strong>{}</strong> {}",
                photos.file_missing_error().message,
                self.fields["image"].help_text,
            )
        # A new file and its renditions are stored while the form is validated (save_model
        # inserts their rows); what the photo had before is put back if that fails.
        self.stored = None
        self._saved_file = (image.name, self.instance.width, self.instance.height)

    def _show_pending(self, token: str) -> None:
        self.fields["image"].widget.pending_url = reverse(
            "admin:articles_photo_pending", args=[token]
        )

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if self.pending and not isinstance(image, ContentFile):
            return photos.open_pending(self.pending)
        return image

    def full_clean(self):
        super().full_clean()
        image = getattr(self, "cleaned_data", {}).get("image")
        new_upload = isinstance(image, ContentFile) and not isinstance(image, FieldFile)
        stored = None
        if new_upload and not self.errors:
            stored = self._store(renditions.store_new_file, self.instance, image)
        elif {"focal_x", "focal_y"} & set(self.changed_data) and not self.errors:
            stored = self._store(renditions.store_new_crops, self.instance)
        # A storage that just refused the photo is not asked to keep a copy of it as well.
        if self.errors and new_upload and not self.pending and stored is not False:
            token = photos.try_keep_pending(image)
            if token is not None:
                self.pending = photos.pending_name(token)
                self.data = self.data.copy()
                self.data[self.add_prefix("pending_upload")] = token
                self._show_pending(token)

    def _store(self, store, *args) -> bool:
        """Store the files the save needs; False, with a form error, if the storage refused."""
        try:
            self.stored = store(*args)
        except photos.STORAGE_ERRORS as error:
            self.instance.image.name, self.instance.width, self.instance.height = self._saved_file
            self.add_error("image", photos.storage_failed(error))
            return False
        return True


@admin.register(Photo)
class PhotoAdmin(KeepsRevisionsMixin, RussianAdminMixin, admin.ModelAdmin):
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
        # A photo not saved yet has no address; the file field shows what was chosen.
        if not photo.pk or not photo.image:
            return "—"
        # Sized by attributes, not a style attribute: the desk's CSP runs no inline styles.
        width = min(PREVIEW_WIDTH, photo.width or PREVIEW_WIDTH)
        height = round(width * photo.height / photo.width) if photo.width else width
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}">',
            photo_src(photo),
            photo.alt_text,
            width,
            height,
        )

    @admin.display(description=_("размер, px"))
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        try:
            super().save_model(request, obj, form, change)
            if form.stored is not None:
                renditions.save_stored(obj, form.stored)
        except BaseException:
            if form.stored is not None:
                renditions.discard_stored(form.stored)
            raise
        photos.discard_pending(form.pending)  # its photo is the saved one now
        if form.file_missing and form.stored is None:
            messages.warning(request, photos.file_missing_error().message)

    def get_urls(self):
        pending = path(
            "pending/<str:token>/",
            self.admin_site.admin_view(self.pending_view),
            name="articles_photo_pending",
        )
        return [pending, *super().get_urls()]

    def pending_view(self, request, token):
        """The preview of a photo kept across a failed validation, for whoever may upload."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise Http404
        name = photos.pending_name(token)
        if name is None:
            raise Http404
        # admin_view marks it never to be cached, as every page of the desk.
        return FileResponse(
            photos.default_storage.open(name), content_type=photos.pending_content_type(name)
        )


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(), label=_("оставить тег"), widget=forms.RadioSelect
    )


@admin.register(Tag)
class TagAdmin(ManagedByAdminsMixin, RussianAdminMixin, admin.ModelAdmin):
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
