"""Forms of the editorial desk that the admin cannot derive from the models alone."""

import copy
import datetime

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Article, Tag
from .publishing import concurrency, permissions, revisions, workflow
from .publishing.corrections import CORRECTION_MAX_LENGTH
from .publishing.workflow import COMMENT_MAX_LENGTH
from .text import strip_control_characters

# Select2 sends an existing tag as its id and a tag typed in place as this prefix plus its name,
# so a new tag called "2026" is never mistaken for the tag whose id is 2026.
NEW_TAG_PREFIX = "new:"
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
MAX_TAGS_PER_ARTICLE = 30
# A long read is 100,000 characters of markup; past this a body is a paste gone wrong. The request
# limit (DATA_UPLOAD_MAX_MEMORY_SIZE) is set well above it, so the form, not a bare 400, answers.
BODY_MAX_CHARS = 300_000


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 19


class TagAutocompleteWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete over existing tags, which also accepts new tags typed in place."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Our script, not Django's autocomplete.js, starts select2 on this element (tags mode).
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "tag-autocomplete")
        # Each tag has its own cross; select2's "remove all" one would drop every tag in one
        # click, and it sits as a bare <span> inside the list of tags, breaking that list.
        attrs["data-allow-clear"] = "false"
        return attrs

    def optgroups(self, name, value, attr=None):
        ids = [v for v in value if _is_id(v)]
        names = {str(tag.pk): tag.name for tag in Tag.objects.filter(pk__in=ids)}
        options = []
        for index, item in enumerate(value):
            label = names.get(item) or item.removeprefix(NEW_TAG_PREFIX)
            if _is_id(item) and item not in names:
                continue
            options.append(self.create_option(name, item, label, True, index))
        return [(None, options, 0)]

    @property
    def media(self):
        return super().media + forms.Media(js=["articles/admin/tag-autocomplete.js"])


class TagsField(forms.Field):
    """A story's tags: existing ones by id, new ones by name; cleaned for taggit's set()."""

    widget = forms.SelectMultiple

    def prepare_value(self, value):
        return [str(item.pk) if isinstance(item, Tag) else str(item) for item in value or ()]

    def to_python(self, value) -> list:
        if not value:
            return []
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ValidationError(_("Неверный список тегов."), code="invalid_list")
        if len(value) > MAX_TAGS_PER_ARTICLE:
            raise ValidationError(
                _("Не больше %(limit)d тегов у материала."),
                code="too_many",
                params={"limit": MAX_TAGS_PER_ARTICLE},
            )
        ids, names = [], []
        for raw in value:
            item = strip_control_characters(str(raw)).strip()
            if item.startswith(NEW_TAG_PREFIX):
                name = " ".join(item.removeprefix(NEW_TAG_PREFIX).split())
                if len(name) > TAG_NAME_MAX_LENGTH:
                    raise ValidationError(
                        _("Тег длиннее %(limit)d символов: «%(name)s…»."),
                        code="tag_too_long",
                        params={"limit": TAG_NAME_MAX_LENGTH, "name": name[:30]},
                    )
                if name:
                    names.append(name)
            elif _is_id(item):
                ids.append(int(item))
            else:
                raise ValidationError(_("Такого тега нет."), code="invalid_choice")
        tags = list(Tag.objects.filter(pk__in=ids))
        if len(tags) != len(set(ids)):
            raise ValidationError(_("Такого тега нет."), code="invalid_choice")
        return tags + names


class ArticleDeskForm(forms.ModelForm):
    """The story form of the desk: the text, plus the publishing step the editor asked for.

    The status is never a field: the buttons of the form send `_transition`, which is checked
    here against the workflow (so a refusal shows beside the text, nothing saved) and taken by
    the service after the save. A published story given a new time is rescheduled the same way.
    The admin sets `desk_user` on the class it builds per request.
    """

    transition_comment = forms.CharField(
        label=_("комментарий к действию"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Записка редактору или причина возврата: попадёт в историю статусов."),
    )
    correction_text = forms.CharField(
        label=_("новое исправление"),
        required=False,
        max_length=CORRECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Появится под материалом с датой; в строке даты будет «обновлено»."),
    )

    # Which save of the story the form was opened on (a change form), or its one-time key (an
    # add form): see articles/publishing/concurrency.py.
    edit_token = forms.CharField(label="", required=False, widget=forms.HiddenInput)
    form_key = forms.CharField(label="", required=False, widget=forms.HiddenInput)
    overwrite = forms.BooleanField(
        label=_("сохранить поверх чужих изменений"), required=False, widget=forms.HiddenInput
    )

    # The admin builds the Meta (model and fields) and sets the user, per request.
    desk_user = None
    # What the clean found: the step and the correction to take after the save; on a refused
    # stale save, the versions to compare (opened, current); on a replayed add, the story made.
    pending_transition = None
    pending_correction = ""
    is_stale = False
    stale_versions = None
    saved_already = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_token"].initial = concurrency.edit_token(self.instance)
        else:
            self.fields["form_key"].initial = concurrency.new_submission_key()

    def clean(self):
        cleaned = super().clean()
        if "status" in self.data:
            raise ValidationError(
                _("Статус меняется только кнопками выпуска внизу формы."), code="status_posted"
            )
        if not self._guard_against_stale_save(cleaned):
            return cleaned
        self.pending_transition = self._transition(cleaned)
        self.pending_correction = self._correction(cleaned)
        return cleaned

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if len(body) > BODY_MAX_CHARS:
            raise ValidationError(
                _(
                    "Текст длиннее %(limit)s знаков (сейчас %(length)s): сократите его или "
                    "разделите на несколько материалов. Текст сохранён в форме, не закрывайте её."
                ),
                code="body_too_long",
                params={"limit": f"{BODY_MAX_CHARS:,}".replace(",", "\u00a0"), "length": len(body)},
            )
        return body

    def _guard_against_stale_save(self, cleaned) -> bool:
        """False, with an error on the form, when this save would overwrite a newer one."""
        if self.instance.pk is None:
            return self._guard_against_second_story()
        # Locked until the save commits, so a parallel save waits and then sees this one.
        current = (
            Article.objects.select_for_update(of=("self",))
            .select_related("updated_by", "region")
            .get(pk=self.instance.pk)
        )
        try:
            concurrency.check_edit_token(current, cleaned.get("edit_token", ""))
        except concurrency.StaleEdit as stale:
            if stale.opened_at is not None and cleaned.get("overwrite"):
                return True  # seen and chosen: the editor saves over the other change
            self.add_error(None, stale.message)
            if stale.opened_at is not None:
                self.is_stale = True
                self.stale_versions = revisions.versions_around(current, stale.opened_at)
                self.fields["overwrite"].widget = forms.CheckboxInput()
            self.pending_transition = self.pending_correction = None
            return False
        return True

    def _guard_against_second_story(self) -> bool:
        key = concurrency.parse_submission_key(self.data.get("form_key", ""))
        if key is None:
            self.add_error(None, _("Форма устарела: обновите страницу (текст скопируйте заранее)."))
            return False
        saved = Article.objects.filter(submission_key=key).first()
        if saved is not None:
            self.add_error(
                None,
                format_html(
                    _("Эта форма уже сохранена: материал «{}» создан, правьте его."),
                    saved.headline,
                ),
            )
            self.saved_already = saved
            return False
        self.instance.submission_key = key
        return True

    def clean_unpublish_at(self):
        value = self.cleaned_data.get("unpublish_at")
        if "unpublish_at" in self.changed_data and value is not None and value <= timezone.now():
            raise ValidationError(
                _("Время снятия уже прошло: снять материал сейчас — кнопка «Снять с публикации»."),
                code="unpublish_in_past",
            )
        return value

    def _provisional(self, cleaned) -> Article:
        """The story as it will be after this save, for asking the workflow in advance."""
        article = copy.copy(self.instance)
        for name in ("region", "embargo_until", "unpublish_at"):
            if name in cleaned:
                setattr(article, name, cleaned[name])
        if article.pk is None:
            article.created_by = self.desk_user
        return article

    def _transition(self, cleaned) -> tuple[str, datetime.datetime | None, str] | None:
        name = self.data.get("_transition", "")
        when = cleaned.get("published_at", self.instance.published_at)
        rescheduled = (
            self.instance.pk is not None
            and self.instance.status == Article.Status.PUBLISHED
            and "published_at" in self.changed_data
        )
        if not name and rescheduled:
            name = "publish"
        if not name or (cleaned.get("region") is None and self.instance.region_id is None):
            return None  # no step asked, or no region to ask about (the field says so)
        comment = cleaned.get("transition_comment", "")
        try:
            workflow.check(
                user=self.desk_user,
                article=self._provisional(cleaned),
                name=name,
                published_at=when,
                comment=comment,
            )
        except workflow.TransitionError as refusal:
            self.add_error(None, refusal.message)
            return None
        return name, when, comment

    def _correction(self, cleaned) -> str:
        text = cleaned.get("correction_text", "").strip()
        if text and not (
            self.instance.pk is not None
            and permissions.can_correct(self.desk_user, self.instance)
            and Article.objects.published().filter(pk=self.instance.pk).exists()
        ):
            self.add_error(
                "correction_text",
                _("Исправление добавляет редактор региона к материалу, который уже на сайте."),
            )
            return ""
        return text
