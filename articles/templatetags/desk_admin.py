"""Template filters of the desk's admin templates: a model's name in the case a phrase needs."""

from django import template

from ..admin import grammar

register = template.Library()


@register.filter
def accusative(opts) -> str:
    """{{ opts|accusative }}: "фотографию" for "Добавить фотографию"."""
    return grammar.accusative(opts)


@register.filter
def with_count(opts, count) -> str:
    """{{ cl.opts|with_count:cl.result_count }}: "11 регионов"."""
    return grammar.with_count(opts, int(count))


@register.simple_tag
def inline_formset_data(inline_admin_formset) -> str:
    """The data-inline-formset attribute's JSON, with "Добавить ещё ссылку по теме"."""
    return grammar.inline_formset_data(inline_admin_formset)
