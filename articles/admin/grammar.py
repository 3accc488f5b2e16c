"""Correct Russian where Django's admin builds a phrase from a model's name.

The forms of each name ("фотографию", "выбранных авторов", "5 регионов") live in the translation
catalogue (locale/ru/LC_MESSAGES/django.po, which says why); this module asks for them, and
`RussianAdminMixin` puts them into the slots of the admin's titles, buttons and confirmations that
Django fills with the nominative. Every ModelAdmin of the desk mixes it in.
"""

import json

from django.contrib.admin.utils import model_ngettext
from django.db.models import BLANK_CHOICE_DASH
from django.db.models.options import Options
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

ACCUSATIVE = "accusative"
SELECTED_ACCUSATIVE = "selected, accusative"


def _opts(model_or_opts) -> Options:
    if isinstance(model_or_opts, Options):
        return model_or_opts
    return model_or_opts._meta


def accusative(model_or_opts) -> str:
    """The name as an object: "Добавить фотографию", "Выберите автора для изменения"."""
    return pgettext(ACCUSATIVE, str(_opts(model_or_opts).verbose_name))


def selected_accusative(model_or_opts) -> str:
    """The plural name after "Удалить": "выбранные фотографии", "выбранных авторов"."""
    return pgettext(SELECTED_ACCUSATIVE, str(_opts(model_or_opts).verbose_name_plural))


def count_noun(model_or_opts, count: int) -> str:
    """The name after a number: "1 регион", "2 региона", "5 регионов", "21 регион"."""
    return model_ngettext(_opts(model_or_opts), count)


def with_count(model_or_opts, count: int) -> str:
    return f"{count} {count_noun(model_or_opts, count)}"


def inline_formset_data(inline_admin_formset) -> str:
    """The inline's options for the admin's inlines.js, with "Добавить ещё автора"."""
    data = json.loads(inline_admin_formset.inline_formset_data())
    noun = pgettext(ACCUSATIVE, str(inline_admin_formset.opts.verbose_name))
    # inlines.js inserts the text as HTML.
    data["options"]["addText"] = str(
        format_html("{}", gettext("Add another %(verbose_name)s") % {"verbose_name": noun})
    )
    return json.dumps(data)


class RussianAdminMixin:
    """A ModelAdmin whose titles, add buttons, confirmations and actions agree in case."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            title = gettext("Add %s")
        elif self.has_change_permission(request, obj):
            title = gettext("Change %s")
        else:
            title = gettext("View %s")
        context["title"] = title % accusative(self.opts)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if changelist.is_popup:
            title = gettext("Select %s")
        elif self.has_change_permission(request):
            title = gettext("Select %s to change")
        else:
            title = gettext("Select %s to view")
        changelist.title = title % accusative(self.opts)
        return changelist

    def render_delete_form(self, request, context):
        # "Вы уверены, что хотите удалить фотографию «…»?"
        context["object_name"] = accusative(self.opts)
        return super().render_delete_form(request, context)

    def get_action_choices(self, request, default_choices=BLANK_CHOICE_DASH):
        choices = list(default_choices)
        names = {
            "verbose_name": accusative(self.opts),
            "verbose_name_plural": selected_accusative(self.opts),
        }
        for _function, name, description in self.get_actions(request).values():
            choices.append((name, str(description) % names))
        return choices
