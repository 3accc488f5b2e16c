"""Forms of the editorial desk that the admin cannot derive from the models alone."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Tag
from .text import strip_control_characters

# Select2 sends an existing tag as its id and a tag typed in place as this prefix plus its name,
# so a new tag called "2026" is never mistaken for the tag whose id is 2026.
NEW_TAG_PREFIX = "new:"
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
MAX_TAGS_PER_ARTICLE = 30


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 19


class TagAutocompleteWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete over existing tags, which also accepts new tags typed in place."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Our script, not Django's autocomplete.js, starts select2 on this element (tags mode).
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "tag-autocomplete")
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
