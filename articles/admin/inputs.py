"""Every input of the desk's forms has a name of its own, for a screen reader and for axe.

Django's admin splits a date-time field into a date input and a time input with the words
"Дата:" and "Время:" as plain text beside them, and the field's label points at neither; three
such fields on the story form leave six inputs with no name. `NamedSplitDateTime` names each
input after its field ("Время публикации: дата"), and `NamedInputsMixin` gives that widget to
every date-time field of a ModelAdmin that mixes it in.
"""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _

PARTS = (_("дата"), _("время"))


class NamedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with an aria-label: the field's label and its part."""

    def __init__(self, label: str = "", attrs=None):
        super().__init__(attrs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, part in zip(context["widget"]["subwidgets"], PARTS, strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.label}: {part}" if self.label else part
        return context


class NamedInputsMixin:
    """A ModelAdmin whose date-time fields name their date and time inputs."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if type(widget) is AdminSplitDateTime:
            formfield.widget = NamedSplitDateTime(str(formfield.label or ""), widget.attrs)
        return formfield
