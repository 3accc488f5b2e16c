"""Model fields that keep text clean on every write path.

Cleaning happens in the field, not in `Model.save()`, because `bulk_create()` (used by the demo
generator and imports) calls `pre_save()` and `get_prep_value()` but never `save()`.
`QuerySet.update()` reaches `get_prep_value()` too, so control characters cannot get in that way
either. The body is sanitized once, when it is written: in `pre_save()` (every insert and save)
and in the story queryset's `update()` and `bulk_update()`; pages and feeds then serve it as
stored. Only a change of the allow-list re-sanitizes stored bodies
(`manage.py resanitize_bodies`).
"""

from django.db import models
from django.urls import reverse_lazy
from django_prose_editor.fields import ProseEditorField

from .sanitizer import sanitize_html
from .text import strip_control_characters


class _CleanTextMixin:
    def clean_value(self, value):
        return strip_control_characters(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = self.clean_value(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(self.clean_value(value))


class CleanCharField(_CleanTextMixin, models.CharField):
    """A CharField that never stores characters invalid in XML."""


class CleanTextField(_CleanTextMixin, models.TextField):
    """A TextField that never stores characters invalid in XML."""


# The editor offers exactly what the sanitizer keeps, so nothing an editor writes is lost on save.
# DeskLink, DeskMenu and DeskFieldName are ours (static/articles/admin/prose-desk.js, registered
# in settings' DJANGO_PROSE_EDITOR_EXTENSIONS): the link dialog that finds the site's own stories,
# the menu's buttons and tooltips in Russian, and the editable area named after the field's label.
_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "DeskLink": {
        "enableTarget": False,
        "protocols": ["http", "https", "mailto"],
        "searchUrl": reverse_lazy("admin:articles_article_links"),
    },
    "DeskMenu": True,
    "DeskFieldName": True,
    "History": True,
}


class _Sanitized(str):
    """A body as `sanitize_html` returned it in the form's validation: saved as it is."""


def _sanitized_in_form(value: str) -> _Sanitized:
    return _Sanitized(sanitize_html(value))


class SanitizedHTMLField(_CleanTextMixin, ProseEditorField):
    """Rich text edited with ProseMirror in the admin, reduced to the allow-list on every save.

    A form's validation sanitizes it (the editor's package asks for that); the save then keeps
    what the form made instead of sanitizing it a second time: a long body costs its sanitizing
    once per save.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", {"extensions": dict(_EDITOR_EXTENSIONS)})
        kwargs["sanitize"] = _sanitized_in_form
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            clean = value if isinstance(value, _Sanitized) else sanitize_html(value)
            value = str(clean)
            setattr(model_instance, self.attname, value)
        return value
